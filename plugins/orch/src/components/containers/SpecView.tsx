import type { ReactNode } from 'react';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import type {
  ContainerMount,
  EnvVar,
} from '@internal/backstage-plugin-portainer-common';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { orchTranslationRef } from '../../translations/ref';
import { useFormatters } from '../Dashboard/formatting';

/** What the spec view shows: a live container's spec or one captured by an incident. */
export type SpecViewValue = {
  image: string;
  command?: string[];
  entrypoint?: string[];
  env: EnvVar[];
  labels: Record<string, string>;
  restartPolicy?: { name: string; maximumRetryCount?: number };
  restartCount?: number;
  memoryLimit?: number;
  cpuLimit?: number;
  healthcheck?: { test: string[] };
  mounts?: ContainerMount[];
  networks?: string[];
  state?: {
    exitCode?: number;
    oomKilled?: boolean;
    error?: string;
    startedAt?: string;
    finishedAt?: string;
    healthLog?: Array<{ exitCode: number; output: string; end?: string }>;
  };
};

const mono = {
  fontFamily:
    'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
  fontSize: 13,
  wordBreak: 'break-all' as const,
};

function bytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${Math.round(n / 1024 ** 2)} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} B`;
}

function Row(props: { label: string; children: ReactNode }) {
  return (
    <TableRow>
      <TableCell
        component="th"
        scope="row"
        sx={{ width: '30%', verticalAlign: 'top', color: 'text.secondary' }}
      >
        {props.label}
      </TableCell>
      <TableCell sx={mono}>{props.children}</TableCell>
    </TableRow>
  );
}

/**
 * A container's (or service's) spec: image, command, limits, state and
 * healthcheck, then environment and labels. Secret values arrive redacted
 * from the server (`********`, `redacted: true`): this view never has them.
 */
export function SpecView(props: { spec: SpecViewValue; label: string }) {
  const { t } = useTranslationRef(orchTranslationRef);
  const fmt = useFormatters();
  const { spec } = props;
  const none = t('monitoring.spec.none');
  const join = (list?: string[]) => (list?.length ? list.join(' ') : none);
  const labels = Object.entries(spec.labels ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  );
  const healthLog = spec.state?.healthLog ?? [];
  const lastHealth = healthLog[healthLog.length - 1];
  return (
    <Box>
      <Table size="small" aria-label={props.label}>
        <TableBody>
          <Row label={t('monitoring.spec.image')}>{spec.image}</Row>
          {spec.entrypoint !== undefined && (
            <Row label={t('monitoring.spec.entrypoint')}>
              {join(spec.entrypoint)}
            </Row>
          )}
          {spec.command !== undefined && (
            <Row label={t('monitoring.spec.command')}>{join(spec.command)}</Row>
          )}
          {spec.state?.exitCode !== undefined && (
            <Row label={t('monitoring.spec.exitCode')}>
              {spec.state.exitCode}
              {spec.state.oomKilled && (
                <Chip
                  size="small"
                  color="error"
                  variant="outlined"
                  sx={{ ml: 1 }}
                  label={t('monitoring.spec.oomKilled')}
                />
              )}
            </Row>
          )}
          {spec.state?.error && (
            <Row label={t('monitoring.spec.error')}>{spec.state.error}</Row>
          )}
          {spec.state?.startedAt && (
            <Row label={t('monitoring.spec.startedAt')}>
              {fmt.dateTime(spec.state.startedAt)}
            </Row>
          )}
          {spec.state?.finishedAt &&
            !spec.state.finishedAt.startsWith('0001') && (
              <Row label={t('monitoring.spec.finishedAt')}>
                {fmt.dateTime(spec.state.finishedAt)}
              </Row>
            )}
          {spec.restartPolicy && (
            <Row label={t('monitoring.spec.restartPolicy')}>
              {spec.restartPolicy.name || none}
              {spec.restartPolicy.maximumRetryCount
                ? ` (${spec.restartPolicy.maximumRetryCount})`
                : ''}
            </Row>
          )}
          {spec.restartCount !== undefined && (
            <Row label={t('monitoring.spec.restartCount')}>
              {spec.restartCount}
            </Row>
          )}
          {spec.memoryLimit !== undefined && (
            <Row label={t('monitoring.spec.memoryLimit')}>
              {spec.memoryLimit
                ? bytes(spec.memoryLimit)
                : t('monitoring.spec.unlimited')}
            </Row>
          )}
          {spec.cpuLimit !== undefined && (
            <Row label={t('monitoring.spec.cpuLimit')}>
              {spec.cpuLimit || t('monitoring.spec.unlimited')}
            </Row>
          )}
          {spec.healthcheck && (
            <Row label={t('monitoring.spec.healthcheck')}>
              {join(spec.healthcheck.test)}
            </Row>
          )}
          {lastHealth && (
            <Row label={t('monitoring.spec.healthLog')}>
              {`[${lastHealth.exitCode}] ${lastHealth.output.trim()}`}
            </Row>
          )}
          {spec.networks !== undefined && (
            <Row label={t('monitoring.spec.networks')}>
              {spec.networks.length ? spec.networks.join(', ') : none}
            </Row>
          )}
          {spec.mounts !== undefined && (
            <Row label={t('monitoring.spec.mounts')}>
              {spec.mounts.length
                ? spec.mounts.map(m => (
                    <div key={m.destination}>
                      {`${m.source ?? m.type} → ${m.destination}${
                        m.readOnly ? ' (ro)' : ''
                      }`}
                    </div>
                  ))
                : none}
            </Row>
          )}
        </TableBody>
      </Table>

      <Typography component="h3" variant="subtitle1" mt={2}>
        {t('monitoring.spec.env')}
      </Typography>
      <Typography variant="body2" color="text.secondary" mb={1}>
        {t('monitoring.spec.envHelp')}
      </Typography>
      {spec.env.length === 0 ? (
        <Typography color="text.secondary">{none}</Typography>
      ) : (
        <Table size="small" aria-label={t('monitoring.spec.env')}>
          <TableBody>
            {spec.env.map(v => (
              <TableRow key={v.name} data-testid={`env-${v.name}`}>
                <TableCell component="th" scope="row" sx={mono}>
                  {v.name}
                </TableCell>
                <TableCell sx={mono}>
                  {v.value}
                  {v.redacted && (
                    <Chip
                      size="small"
                      variant="outlined"
                      sx={{ ml: 1 }}
                      label={t('monitoring.spec.redacted')}
                    />
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}

      <Typography component="h3" variant="subtitle1" mt={2} mb={1}>
        {t('monitoring.spec.labels')}
      </Typography>
      {labels.length === 0 ? (
        <Typography color="text.secondary">{none}</Typography>
      ) : (
        <Table size="small" aria-label={t('monitoring.spec.labels')}>
          <TableBody>
            {labels.map(([key, value]) => (
              <TableRow key={key}>
                <TableCell component="th" scope="row" sx={mono}>
                  {key}
                </TableCell>
                <TableCell sx={mono}>{value}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}
