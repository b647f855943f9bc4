import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type { ContainerSummary } from '@internal/backstage-plugin-portainer-common';
import Link from '@mui/material/Link';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { orchTranslationRef } from '../../translations/ref';
import { useFormatters } from '../Dashboard/formatting';
import { ContainerHealthChip, ContainerStateChip } from './ContainerChips';

/** The containers of one endpoint; a name opens the detail drawer. */
export function ContainersTable(props: {
  containers: ContainerSummary[];
  onOpen: (container: ContainerSummary) => void;
}) {
  const { t } = useTranslationRef(orchTranslationRef);
  const fmt = useFormatters();
  return (
    <TableContainer>
      <Table size="small" aria-label={t('containers.title')}>
        <TableHead>
          <TableRow sx={{ '& th': { whiteSpace: 'nowrap' } }}>
            <TableCell>{t('containers.name')}</TableCell>
            <TableCell>{t('containers.state')}</TableCell>
            <TableCell>{t('containers.health')}</TableCell>
            <TableCell align="right">{t('containers.restarts')}</TableCell>
            <TableCell>{t('containers.stackService')}</TableCell>
            <TableCell>{t('containers.image')}</TableCell>
            <TableCell>{t('containers.created')}</TableCell>
            <TableCell>{t('containers.started')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.containers.map(c => (
            <TableRow key={c.id} hover data-testid={`container-${c.name}`}>
              <TableCell>
                <Link
                  component="button"
                  type="button"
                  onClick={() => props.onOpen(c)}
                  aria-label={t('containers.details', { name: c.name })}
                  sx={{ textAlign: 'left' }}
                >
                  {c.name}
                </Link>
              </TableCell>
              <TableCell>
                <ContainerStateChip state={c.state} exitCode={c.exitCode} />
              </TableCell>
              <TableCell>
                <ContainerHealthChip health={c.health} />
              </TableCell>
              <TableCell align="right">{c.restartCount ?? '—'}</TableCell>
              <TableCell>
                {c.stack || c.service ? (
                  <>
                    {c.stack ?? '—'}
                    {c.service && (
                      <Typography
                        component="span"
                        variant="body2"
                        color="text.secondary"
                      >
                        {' / '}
                        {c.service}
                      </Typography>
                    )}
                  </>
                ) : (
                  '—'
                )}
              </TableCell>
              <TableCell
                sx={{
                  maxWidth: 280,
                  overflow: 'hidden',
                  textOverflow: 'ellipsis',
                  whiteSpace: 'nowrap',
                }}
                title={c.image}
              >
                {c.image}
              </TableCell>
              <TableCell title={fmt.dateTime(c.created)}>
                {fmt.ago(c.created)}
              </TableCell>
              <TableCell title={fmt.dateTime(c.started)}>
                {c.started ? fmt.ago(c.started) : '—'}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
