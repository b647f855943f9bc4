import {
  act,
  configure,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  TestApiProvider,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { fetchApiRef, type FetchApi } from '@backstage/frontend-plugin-api';
import type { Job, JobStep } from '@internal/backstage-plugin-orch-common';
import { orchApiRef, type OrchApi, type OrchMe } from '../../api/OrchClient';
import type { JobDetail } from '../../api/jobsApi';
import { jobRouteRef } from '../../routes';
import { ptBRTestApp } from '../../__testUtils__/ptBR';
import { JobView } from './JobPage';

// CI machines are busy: give async queries room.
configure({ asyncUtilTimeout: 10_000 });
jest.setTimeout(60_000);
const job = (extra: Partial<Job> = {}): Job => ({
  id: 'job-1',
  runbookName: 'hello',
  runbookVersion: '1.2.0',
  status: 'SUCCESS',
  environment: 'stage',
  inputs: { message: 'hi', count: 2, token: { set: true } },
  createdBy: 'user:default/ada',
  createdAt: '2026-01-01T10:00:00.000Z',
  startedAt: '2026-01-01T10:00:01.000Z',
  finishedAt: '2026-01-01T10:00:05.500Z',
  attempt: 1,
  connections: [],
  cancelRequested: false,
  ...extra,
});

const steps: JobStep[] = [
  {
    index: 1,
    play: 'Say hello',
    task: 'Say the message',
    status: 'ok',
    hosts: { localhost: { status: 'ok' } },
    startedAt: '2026-01-01T10:00:02.000Z',
    finishedAt: '2026-01-01T10:00:03.000Z',
    firstSeq: 3,
  },
  {
    index: 2,
    play: 'Say hello',
    task: 'Fail politely',
    status: 'failed',
    hosts: { web1: { status: 'failed', message: 'permission denied' } },
    startedAt: '2026-01-01T10:00:03.000Z',
    finishedAt: '2026-01-01T10:00:04.000Z',
    firstSeq: 6,
  },
];

const me = (permissions: string[]): OrchMe => ({
  entityRef: 'user:default/ada',
  ownershipEntityRefs: [],
  roles: [],
  permissions,
  passwordChangeRequired: false,
});

const VIEWER = ['orch.job.read', 'orch.runbook.read'];
const OPERATOR = [
  ...VIEWER,
  'orch.job.cancel',
  'orch.job.relaunch',
  'orch.runbook.execute',
];

function setup(
  detail: JobDetail,
  permissions: string[],
  options: Partial<Parameters<typeof renderInTestApp>[1]> = {},
) {
  const calls: Array<{ method: string; path: string; body?: unknown }> = [];
  const getMe = jest.fn(async () => me(permissions));
  const api: OrchApi = {
    getHealth: jest.fn(),
    getMe,
    url: async path => `http://localhost/api/orch${path}`,
    request: async <T,>(method: string, path: string, body?: unknown) => {
      calls.push({ method, path, body });
      if (path === '/v1/jobs/job-1') return detail as T;
      if (path.startsWith('/v1/jobs/job-1/events')) {
        const items = Array.from({ length: detail.lastSeq }, (_, i) => ({
          jobId: 'job-1',
          seq: i + 1,
          ts: detail.job.createdAt,
          level: 'info',
          type: 'runner_on_ok',
          stdout: `event ${i + 1}`,
        }));
        return { items } as T;
      }
      if (path === '/v1/jobs/job-1/cancel') {
        detail.job = { ...detail.job, cancelRequested: true };
        return detail.job as T;
      }
      if (path === '/v1/jobs/job-1/relaunch') return { jobId: 'job-2' } as T;
      if (path === '/v1/runbooks/hello') {
        return {
          name: 'hello',
          inputs: {
            properties: {
              token: { title: 'API token', 'x-orch-secret': true },
            },
          },
        } as T;
      }
      throw new Error(`unexpected ${method} ${path}`);
    },
  };
  // The live stream of a running job never answers in these tests.
  const fetchApi: FetchApi = {
    fetch: (_input, init) =>
      new Promise((_, reject) =>
        init?.signal?.addEventListener('abort', () =>
          reject(new Error('aborted')),
        ),
      ),
  };
  const rendered = renderInTestApp(
    <TestApiProvider
      apis={[
        [orchApiRef, api],
        [fetchApiRef, fetchApi],
      ]}
    >
      <JobView jobId="job-1" />
    </TestApiProvider>,
    { ...options, mountedRoutes: { '/jobs/:id': jobRouteRef } },
  );
  return { calls, rendered, getMe };
}

const detail = (extra: Partial<Job> = {}): JobDetail => ({
  job: job(extra),
  steps,
  artifacts: [
    {
      name: 'logs.ndjson',
      size: 2048,
      url: '/api/orch/v1/jobs/job-1/artifacts/logs.ndjson',
    },
  ],
  lastSeq: 8,
});

describe('JobView', () => {
  it('shows the header, masked secrets, steps with host results and the log', async () => {
    setup(detail(), VIEWER);
    expect(
      await screen.findByRole('heading', { name: /hello/ }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('job-status')).toHaveTextContent('SUCCESS');
    expect(screen.getByText('v1.2.0')).toBeInTheDocument();
    expect(screen.getByText('stage')).toBeInTheDocument();
    expect(screen.getByText('ada')).toBeInTheDocument();
    expect(screen.getByTestId('job-duration')).toHaveTextContent('4.5s');

    const inputs = screen.getByRole('table', { name: 'Inputs' });
    expect(within(inputs).getByText('•••••••• (secret)')).toBeInTheDocument();
    expect(within(inputs).getByText('hi')).toBeInTheDocument();

    // The failed task is open with its host's message.
    expect(screen.getByText('permission denied')).toBeInTheDocument();
    expect(screen.queryByText('localhost')).not.toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Say the message' }),
    );
    expect(screen.getByText('localhost')).toBeInTheDocument();

    expect(
      screen.getByRole('button', { name: 'logs.ndjson · 2.0 kB, download' }),
    ).toBeInTheDocument();
    expect(await screen.findByText('event 8')).toBeInTheDocument();
  });

  it('shows a viewer no Cancel and no Relaunch', async () => {
    const { getMe } = setup(
      detail({ status: 'RUNNING', finishedAt: undefined }),
      VIEWER,
    );
    await screen.findByRole('heading', { name: /hello/ });
    // Permissions are known once /v1/me answered.
    await waitFor(() => expect(getMe).toHaveBeenCalled());
    await act(async () => {});
    expect(
      screen.queryByRole('button', { name: 'Cancel' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Relaunch' }),
    ).not.toBeInTheDocument();
  });

  it('lets an operator cancel a running job', async () => {
    const { calls } = setup(
      detail({ status: 'RUNNING', finishedAt: undefined }),
      OPERATOR,
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Cancel' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Cancel job' }));
    await waitFor(() =>
      expect(
        calls.some(
          c => c.method === 'POST' && c.path === '/v1/jobs/job-1/cancel',
        ),
      ).toBe(true),
    );
    expect(
      await screen.findByRole('button', { name: 'Canceling…' }),
    ).toBeDisabled();
    expect(
      screen.getByRole('button', { name: 'Relaunch' }),
    ).toBeInTheDocument();
  });

  it('asks an operator for the secret inputs again on relaunch', async () => {
    const { calls } = setup(detail(), OPERATOR);
    // A finished job cannot be canceled.
    await userEvent.click(
      await screen.findByRole('button', { name: 'Relaunch' }),
    );
    expect(
      screen.queryByRole('button', { name: 'Cancel' }),
    ).not.toBeInTheDocument();
    const dialog = screen.getByRole('dialog', {
      name: 'Relaunch hello in stage',
    });
    const submit = within(dialog).getByRole('button', { name: 'Relaunch' });
    expect(submit).toBeDisabled();
    await userEvent.type(
      await within(dialog).findByLabelText(/API token/),
      's3cret',
    );
    await userEvent.click(submit);
    await waitFor(() =>
      expect(calls).toContainEqual({
        method: 'POST',
        path: '/v1/jobs/job-1/relaunch',
        body: { secrets: { token: 's3cret' } },
      }),
    );
    expect(
      (await screen.findByText('Open the new job')).closest('a'),
    ).toHaveAttribute('href', '/jobs/job-2');
  });
});

describe('JobView in Brazilian Portuguese', () => {
  it('speaks the app language: header, sections, steps, inputs, actions and log', async () => {
    setup(
      detail({ status: 'RUNNING', finishedAt: undefined, attempt: 2 }),
      OPERATOR,
      ptBRTestApp(),
    );
    expect(
      await screen.findByRole('region', { name: 'Resumo do job' }),
    ).toBeInTheDocument();
    expect(screen.getByTestId('job-status')).toHaveTextContent('EM EXECUÇÃO');
    for (const fact of [
      'Ambiente',
      'Iniciado por',
      'Criado',
      'Começou',
      'Duração',
      'Tentativa',
      'Id do job',
    ]) {
      expect(screen.getByText(fact)).toBeInTheDocument();
    }
    for (const section of ['Etapas', 'Entradas', 'Downloads', 'Log']) {
      expect(
        screen.getByRole('heading', { level: 2, name: section }),
      ).toBeInTheDocument();
    }
    const inputs = screen.getByRole('table', { name: 'Entradas' });
    expect(within(inputs).getByText('•••••••• (secreto)')).toBeInTheDocument();
    expect(screen.getByText('2 tarefas, 1 com falha')).toBeInTheDocument();
    // The failed task's chip and its host's.
    expect(screen.getAllByText('falhou')).toHaveLength(2);
    expect(
      screen.getByRole('button', {
        name: 'Mostrar a tarefa Fail politely no log',
      }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'logs.ndjson · 2.0 kB, baixar' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('region', { name: 'Log do job' }),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('Buscar no log')).toBeInTheDocument();

    await userEvent.click(
      await screen.findByRole('button', { name: 'Cancelar' }),
    );
    const dialog = screen.getByRole('dialog', { name: 'Cancelar este job?' });
    expect(
      within(dialog).getByRole('button', { name: 'Continuar rodando' }),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Cancelar o job' }),
    ).toBeInTheDocument();
  });

  it('relaunches in Portuguese', async () => {
    setup(detail(), OPERATOR, ptBRTestApp());
    await userEvent.click(
      await screen.findByRole('button', { name: 'Executar de novo' }),
    );
    const dialog = screen.getByRole('dialog', {
      name: 'Executar hello de novo em stage',
    });
    expect(within(dialog).getByText(/informe-as de novo/)).toBeInTheDocument();
    await userEvent.type(
      await within(dialog).findByLabelText(/API token/),
      's3cret',
    );
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Executar de novo' }),
    );
    expect(
      await screen.findByRole('dialog', { name: 'Executado de novo' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Um novo job de hello está na fila em stage.'),
    ).toBeInTheDocument();
    expect(screen.getByText('Ficar aqui')).toBeInTheDocument();
    expect(screen.getByText('Abrir o novo job').closest('a')).toHaveAttribute(
      'href',
      '/jobs/job-2',
    );
  });
});
