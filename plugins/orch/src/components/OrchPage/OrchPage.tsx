import {
  Content,
  ContentHeader,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StatusError,
  StatusOK,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import type { HealthCheckName } from '@internal/backstage-plugin-orch-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { orchApiRef } from '../../api/OrchClient';

const CHECK_LABELS: Record<HealthCheckName, string> = {
  database: 'Database',
  redis: 'Queue (Redis)',
  worker: 'Workers',
};

/** Polling period of the health card. */
const REFRESH_MS = 5000;

export function HealthCard() {
  const orchApi = useApi(orchApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => orchApi.getHealth(),
    [orchApi],
  );
  useInterval(retry, REFRESH_MS);

  if (error) {
    return <ResponseErrorPanel error={error} title="Orch backend unreachable" />;
  }
  if (!value) {
    return loading ? <Progress /> : null;
  }
  return (
    <InfoCard
      title="Platform health"
      subheader={
        value.status === 'ok' ? 'Ready to run jobs' : 'Not ready to run jobs'
      }
    >
      <ul aria-label="health checks" style={{ listStyle: 'none', padding: 0 }}>
        {(Object.keys(CHECK_LABELS) as HealthCheckName[]).map(name => {
          const check = value.checks[name];
          return (
            <li key={name} data-testid={`check-${name}`}>
              {check.status === 'ok' ? (
                <StatusOK>{CHECK_LABELS[name]}: ok</StatusOK>
              ) : (
                <StatusError>
                  {CHECK_LABELS[name]}: {check.error ?? 'failing'}
                </StatusError>
              )}
            </li>
          );
        })}
      </ul>
    </InfoCard>
  );
}

export function OrchPage() {
  return (
    <Content>
      <ContentHeader title="Overview">
        Runbooks as audited, asynchronous jobs
      </ContentHeader>
      <HealthCard />
    </Content>
  );
}
