import { screen } from '@testing-library/react';
import {
  TestApiProvider,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import type { HealthReport } from '@internal/backstage-plugin-orch-common';
import { orchApiRef, type OrchApi } from '../../api/OrchClient';
import { OrchPage } from './OrchPage';

const ok = { status: 'ok' as const, latencyMs: 1 };

function render(report: () => Promise<HealthReport>) {
  const api = { getHealth: report } as Partial<OrchApi> as OrchApi;
  return renderInTestApp(
    <TestApiProvider apis={[[orchApiRef, api]]}>
      <OrchPage />
    </TestApiProvider>,
  );
}

describe('OrchPage', () => {
  it('shows every check as ok when the platform is ready', async () => {
    await render(async () => ({
      status: 'ok',
      checks: { database: ok, redis: ok, worker: ok },
    }));
    expect(await screen.findByText('Ready to run jobs')).toBeInTheDocument();
    expect(screen.getByText('Workers: ok')).toBeInTheDocument();
  });

  it('names the failing check', async () => {
    await render(async () => ({
      status: 'error',
      checks: {
        database: ok,
        redis: { status: 'error', latencyMs: 2, error: 'connection refused' },
        worker: ok,
      },
    }));
    expect(await screen.findByText('Not ready to run jobs')).toBeInTheDocument();
    expect(
      screen.getByText('Queue (Redis): connection refused'),
    ).toBeInTheDocument();
  });

  it('says when the backend cannot be reached', async () => {
    await render(async () => {
      throw new Error('Failed to fetch');
    });
    expect(
      await screen.findByText(/Orch backend unreachable/),
    ).toBeInTheDocument();
  });
});
