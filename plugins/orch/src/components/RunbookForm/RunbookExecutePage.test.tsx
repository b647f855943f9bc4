import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  TestApiProvider,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import type { Runbook } from '@internal/backstage-plugin-orch-common';
import { Route, Routes, useParams } from 'react-router-dom';
import { orchApiRef } from '../../api/OrchClient';
import { apiError, meWith, mockOrchApi } from '../../__testUtils__/orchApiMock';
import {
  hello,
  secretEcho,
  swarmDeploy,
  swarmRemove,
} from '../../__testUtils__/runbookFixtures';
import { ptBRTestApp } from '../../__testUtils__/ptBR';
import { RunbooksPage } from '../RunbooksPage';

function JobProbe() {
  const { id } = useParams();
  return <p>job page {id}</p>;
}

async function render(options: {
  runbook: Runbook;
  roles?: Parameters<typeof meWith>[0];
  permissions?: string[];
  execute?: (body: any) => unknown;
  connections?: (path: string) => unknown;
  /** The runbook name in the URL, when not the runbook's. */
  urlName?: string;
  /** More `renderInTestApp` options, e.g. `ptBRTestApp()`. */
  app?: Partial<Parameters<typeof renderInTestApp>[1]>;
}) {
  const me = meWith(options.roles ?? ['operator']);
  if (options.permissions) me.permissions = options.permissions;
  const { api, calls } = mockOrchApi({
    me,
    routes: {
      [`GET /v1/runbooks/${options.runbook.name}`]: async () => options.runbook,
      [`POST /v1/runbooks/${options.runbook.name}/execute`]: async body =>
        options.execute ? options.execute(body) : { jobId: 'job-1' },
    },
  });
  const request = api.request;
  api.request = (async (method: string, path: string, body?: unknown) => {
    if (path.startsWith('/v1/connections')) {
      calls.push({ method, path, body });
      return options.connections?.(path) ?? { items: [] };
    }
    return request(method, path, body);
  }) as typeof api.request;
  await renderInTestApp(
    <TestApiProvider apis={[[orchApiRef, api]]}>
      <Routes>
        <Route path="/runbooks/*" element={<RunbooksPage />} />
        <Route path="/jobs/:id" element={<JobProbe />} />
      </Routes>
    </TestApiProvider>,
    {
      ...options.app,
      initialRouteEntries: [
        `/runbooks/${options.urlName ?? options.runbook.name}/execute`,
      ],
    },
  );
  return { calls, executed: () => calls.filter(c => c.method === 'POST') };
}

// Typing and MUI menus are slow under a loaded CI machine.
jest.setTimeout(30_000);

const user = () => userEvent.setup({ delay: null });

/** The error list rjsf ties to an input through aria-describedby. */
function errorsOf(input: HTMLElement): HTMLElement {
  const id = (input.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .find(x => x.endsWith('__error'));
  const list = id ? document.getElementById(id) : null;
  if (!list) throw new Error(`no error list for ${input.id}`);
  return list;
}

async function chooseOption(label: RegExp | string, option: string) {
  await user().click(screen.getByRole('combobox', { name: label }));
  await user().click(await screen.findByRole('option', { name: option }));
}

describe('RunbookExecutePage', () => {
  it('generates the form from the schema, with its defaults', async () => {
    await render({ runbook: hello });
    const message = await screen.findByRole('textbox', { name: /Message/ });
    expect(message).toBeRequired();
    expect(screen.getByText('The text to print.')).toBeInTheDocument();
    expect(screen.getByRole('spinbutton', { name: /Count/ })).toHaveValue(1);
    // The environment picker offers only the runbook's environments.
    await user().click(screen.getByRole('combobox', { name: /Environment/ }));
    const options = screen.getAllByRole('option').map(o => o.textContent);
    expect(options).toEqual(['prod', 'stage']);
  });

  it('renders secret inputs as password fields', async () => {
    await render({ runbook: secretEcho });
    const token = await screen.findByLabelText(/API token/);
    expect(token).toHaveAttribute('type', 'password');
    expect(token).toHaveAttribute('autocomplete', 'new-password');
    expect(screen.getByRole('textbox', { name: /Name/ })).toHaveAttribute(
      'type',
      'text',
    );
    expect(screen.getByText(/Secret fields are encrypted/)).toBeInTheDocument();
  });

  it('refuses a form the server would refuse, without sending it', async () => {
    const { executed } = await render({ runbook: hello });
    const count = await screen.findByRole('spinbutton', { name: /Count/ });
    await user().clear(count);
    await user().type(count, '11');
    await user().click(screen.getByRole('button', { name: 'Run' }));
    expect(await screen.findByText('is required')).toBeInTheDocument();
    expect(screen.getByText('must be <= 10')).toBeInTheDocument();
    expect(screen.getByText('Choose an environment')).toBeInTheDocument();
    expect(executed()).toHaveLength(0);
  });

  it('validates with the draft 2020-12 rules and ajv-formats', async () => {
    const runbook: Runbook = {
      ...hello,
      name: 'notify',
      inputs: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: {
          email: { type: 'string', title: 'Email', format: 'email' },
          cc: { type: 'string', title: 'Copy to' },
        },
        // 2019-09+: ignored by a draft-07 validator.
        dependentRequired: { email: ['cc'] },
      },
    };
    const { executed } = await render({ runbook });
    await user().type(
      await screen.findByRole('textbox', { name: /Email/ }),
      'nope',
    );
    await user().click(screen.getByRole('button', { name: 'Run' }));
    expect(
      await screen.findByText('must match format "email"'),
    ).toBeInTheDocument();
    expect(screen.getByText('is required')).toBeInTheDocument();
    expect(executed()).toHaveLength(0);
  });

  it('sends the inputs with defaults and opens the job page', async () => {
    const { executed } = await render({
      runbook: hello,
      execute: () => ({ jobId: '5b0c7a1e' }),
    });
    await user().type(
      await screen.findByRole('textbox', { name: /Message/ }),
      'hi',
    );
    await chooseOption(/Environment/, 'stage');
    await user().click(screen.getByRole('button', { name: 'Run' }));
    expect(await screen.findByText('job page 5b0c7a1e')).toBeInTheDocument();
    expect(executed()[0]).toMatchObject({
      path: '/v1/runbooks/hello/execute',
      body: {
        inputs: { message: 'hi', count: 1 },
        environment: 'stage',
        connections: [],
      },
    });
  });

  it("shows the server's 400 errors on their fields", async () => {
    await render({
      runbook: hello,
      execute: async () => {
        throw await apiError(400, 'Invalid inputs', {
          fields: [
            { field: 'message', message: 'must not be "forbidden"' },
            { field: 'inputs.count', message: 'is too many today' },
            { field: 'environment', message: 'is frozen this week' },
          ],
        });
      },
    });
    const message = await screen.findByRole('textbox', { name: /Message/ });
    await user().type(message, 'forbidden');
    await chooseOption(/Environment/, 'prod');
    await user().click(screen.getByRole('button', { name: 'Run' }));

    expect(
      await screen.findByText('must not be "forbidden"'),
    ).toBeInTheDocument();
    expect(errorsOf(message)).toHaveTextContent('must not be "forbidden"');
    expect(
      errorsOf(screen.getByRole('spinbutton', { name: /Count/ })),
    ).toHaveTextContent('is too many today');
    expect(
      document.getElementById('orch-execute-environment-helper-text'),
    ).toHaveTextContent('is frozen this week');
    expect(screen.getByRole('alert')).toHaveTextContent(
      'Some fields need attention.',
    );
  });

  it('says clearly when the server refuses the run (403)', async () => {
    await render({
      runbook: hello,
      execute: async () => {
        throw await apiError(
          403,
          'swarm_remove in prod is for group:default/platform-team',
        );
      },
    });
    await user().type(
      await screen.findByRole('textbox', { name: /Message/ }),
      'hi',
    );
    await chooseOption(/Environment/, 'prod');
    await user().click(screen.getByRole('button', { name: 'Run' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Not allowed: swarm_remove in prod is for group:default/platform-team',
    );
    expect(screen.queryByText(/job page/)).not.toBeInTheDocument();
  });

  it('offers only the connections of the type and environment', async () => {
    const { calls, executed } = await render({
      runbook: swarmDeploy,
      connections: path =>
        path.includes('environment=stage')
          ? {
              items: [
                {
                  id: 'c-stage',
                  name: 'stage-swarm',
                  type: 'docker',
                  environment: 'stage',
                },
              ],
            }
          : { items: [] },
    });
    const picker = await screen.findByRole('combobox', {
      name: /docker connection/,
    });
    expect(picker).toHaveAttribute('aria-disabled', 'true');
    expect(
      screen.getByText('Choose the environment first'),
    ).toBeInTheDocument();

    await chooseOption(/Environment/, 'stage');
    await waitFor(() =>
      expect(calls.map(c => c.path)).toContain(
        '/v1/connections?type=docker&environment=stage',
      ),
    );
    await chooseOption(/docker connection/, 'stage-swarm');
    await user().type(
      screen.getByRole('textbox', { name: /Stack name/ }),
      'demo',
    );
    // Compose YAML is long: a text area.
    expect(screen.getByRole('textbox', { name: /Compose YAML/ }).tagName).toBe(
      'TEXTAREA',
    );
    await user().click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(executed()).toHaveLength(1));
    expect(executed()[0].body).toMatchObject({
      environment: 'stage',
      connections: ['c-stage'],
    });
  });

  it('says when no connection of the type exists there', async () => {
    await render({ runbook: swarmDeploy, connections: () => ({ items: [] }) });
    await screen.findByRole('textbox', { name: /Stack name/ });
    await chooseOption(/Environment/, 'prod');
    expect(
      await screen.findByText(
        'No docker connection in prod. Create one in Settings → Connections.',
      ),
    ).toBeInTheDocument();
  });

  it('explains when the user may not read connections', async () => {
    const me = meWith(['operator']);
    const { calls } = await render({
      runbook: swarmDeploy,
      permissions: me.permissions.filter(p => p !== 'orch.connection.read'),
    });
    expect(
      await screen.findByText(/You may not read connections/),
    ).toBeInTheDocument();
    expect(calls.some(c => c.path.startsWith('/v1/connections'))).toBe(false);
  });

  it('shows a viewer no form and no Run button', async () => {
    await render({ runbook: hello, roles: ['viewer'] });
    expect(
      await screen.findByText(/You may not run runbooks/),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Run' }),
    ).not.toBeInTheDocument();
  });

  it('offers no form for a disabled runbook', async () => {
    await render({ runbook: swarmRemove });
    expect(
      await screen.findByText(/This runbook is disabled/),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Run' }),
    ).not.toBeInTheDocument();
  });

  it('asks before a high-risk run in prod', async () => {
    const { executed } = await render({
      runbook: { ...swarmRemove, enabled: true },
    });
    // prod is its only environment: chosen already.
    await user().type(
      await screen.findByRole('textbox', { name: /Stack name/ }),
      'demo',
    );
    await user().click(screen.getByRole('button', { name: 'Run' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Run Remove a Swarm stack in prod?');
    expect(executed()).toHaveLength(0);
    await user().click(within(dialog).getByRole('button', { name: 'Run it' }));
    expect(await screen.findByText('job page job-1')).toBeInTheDocument();
  });

  it('says when the runbook does not exist', async () => {
    await render({ runbook: hello, urlName: 'missing' });
    expect(
      await screen.findByText('No runbook named missing.'),
    ).toBeInTheDocument();
  });
});

describe('RunbookExecutePage in Brazilian Portuguese', () => {
  it("validates in Portuguese with Ajv's messages from ajv-i18n", async () => {
    const { executed } = await render({ runbook: hello, app: ptBRTestApp() });
    const count = await screen.findByRole('spinbutton', { name: /Count/ });
    await user().clear(count);
    await user().type(count, '11');
    await user().click(screen.getByRole('button', { name: 'Executar' }));
    expect(await screen.findByText('é obrigatório')).toBeInTheDocument();
    expect(screen.getByText('deve ser <= 10')).toBeInTheDocument();
    expect(screen.getByText('Escolha um ambiente')).toBeInTheDocument();
    expect(screen.queryByText('is required')).not.toBeInTheDocument();
    expect(executed()).toHaveLength(0);
  });

  it("says formats, lengths and rjsf's own words in Portuguese", async () => {
    const runbook: Runbook = {
      ...hello,
      name: 'notify',
      inputs: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: {
          email: { type: 'string', title: 'Email', format: 'email' },
          code: { type: 'string', title: 'Code', maxLength: 3 },
          tags: { type: 'array', title: 'Tags', items: { type: 'string' } },
        },
      },
    };
    const { executed } = await render({ runbook, app: ptBRTestApp() });
    await user().type(
      await screen.findByRole('textbox', { name: /Email/ }),
      'nope',
    );
    await user().type(screen.getByRole('textbox', { name: /Code/ }), 'abcd');
    expect(
      screen.getByRole('button', { name: 'Adicionar item' }),
    ).toBeInTheDocument();
    await user().click(screen.getByRole('button', { name: 'Executar' }));
    expect(
      await screen.findByText('deve corresponder ao formato "email"'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('não deve ser maior que 3 caracteres'),
    ).toBeInTheDocument();
    expect(executed()).toHaveLength(0);
  });
});
