import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type {
  Endpoint,
  Incident,
} from '@internal/backstage-plugin-portainer-common';
import Link from '@mui/material/Link';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import { Link as RouterLink } from 'react-router-dom';
import { orchTranslationRef } from '../../translations/ref';
import { useFormatters } from '../Dashboard/formatting';
import { IncidentStatusChip, useReasonLabel } from './IncidentChips';

/** Incidents, newest opened first; the subject opens the incident's page. */
export function IncidentsTable(props: {
  incidents: Incident[];
  endpoints?: Endpoint[];
}) {
  const { t } = useTranslationRef(orchTranslationRef);
  const fmt = useFormatters();
  const reason = useReasonLabel();
  const endpointName = (id: string) =>
    props.endpoints?.find(e => e.id === id)?.name ?? id;
  return (
    <TableContainer>
      <Table size="small" aria-label={t('incidents.title')}>
        <TableHead>
          <TableRow>
            <TableCell>{t('incidents.subject')}</TableCell>
            <TableCell>{t('incidents.reason')}</TableCell>
            <TableCell>{t('incidents.status')}</TableCell>
            <TableCell align="right">{t('incidents.count')}</TableCell>
            <TableCell>{t('incidents.stack')}</TableCell>
            <TableCell>{t('incidents.endpoint')}</TableCell>
            <TableCell>{t('incidents.openedAt')}</TableCell>
            <TableCell>{t('incidents.lastSeenAt')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.incidents.map(incident => (
            <TableRow
              key={incident.id}
              hover
              data-testid={`incident-${incident.id}`}
            >
              <TableCell>
                <Link
                  component={RouterLink}
                  to={`/incidents/${encodeURIComponent(incident.id)}`}
                >
                  {incident.subject}
                </Link>
              </TableCell>
              <TableCell>{reason(incident)}</TableCell>
              <TableCell>
                <IncidentStatusChip status={incident.status} />
              </TableCell>
              <TableCell align="right">{incident.count}</TableCell>
              <TableCell>{incident.stack ?? '—'}</TableCell>
              <TableCell>{endpointName(incident.endpointId)}</TableCell>
              <TableCell title={fmt.dateTime(incident.openedAt)}>
                {fmt.ago(incident.openedAt)}
              </TableCell>
              <TableCell title={fmt.dateTime(incident.lastSeenAt)}>
                {fmt.ago(incident.lastSeenAt)}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
