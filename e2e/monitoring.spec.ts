import { test, expect, type APIRequestContext } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { ensureBusyboxImage } from '@internal/backstage-plugin-orch-node/testUtils';
import {
  admin,
  apiAs,
  expectNoSeriousA11yViolations,
  screenshotForGuide,
  SCREENSHOT_VIEWPORT,
  signIn,
} from './support';

test.use({ viewport: SCREENSHOT_VIEWPORT });
// The incident takes a Docker event and the monitor's capture: more room.
test.setTimeout(240_000);

/** Every container this spec starts carries this label, to remove them. */
const LABEL = 'orch-test.e2e-monitoring';
const RUN = `${Date.now()}`;
const NAME = `e2e-crashy-${RUN}`;
const STACK = `e2e-shop-${RUN}`;

function docker(args: string[]) {
  const result = spawnSync('docker', args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`docker ${args.join(' ')}: ${result.stderr}`);
  }
  return result.stdout.trim();
}

test.afterAll(() => {
  const ids = docker(['ps', '-aq', '--filter', `label=${LABEL}=${RUN}`]);
  if (ids) docker(['rm', '-f', ...ids.split('\n')]);
});

/** Polls the portainer API until the crash's incident is open. */
async function openIncident(request: APIRequestContext) {
  const { headers } = await apiAs(request, admin);
  let found: { id: string } | undefined;
  await expect
    .poll(
      async () => {
        const response = await request.get(
          '/api/portainer/v1/incidents?status=open',
          { headers },
        );
        if (!response.ok()) return `HTTP ${response.status()}`;
        const body = await response.json();
        found = body.items.find((i: { subject: string }) => i.subject === NAME);
        return found ? 'open' : 'not yet';
      },
      { timeout: 60_000, intervals: [500, 1000] },
    )
    .toBe('open');
  return found!.id;
}

test('containers, their detail and logs, and the incident a crash opens', async ({
  page,
  request,
}) => {
  // A container of a Compose-like stack that writes to both streams and
  // exits 3, with a secret in its environment.
  const image = await ensureBusyboxImage();
  const id = docker([
    'run',
    '-d',
    '--name',
    NAME,
    '--label',
    `${LABEL}=${RUN}`,
    '--label',
    `com.docker.compose.project=${STACK}`,
    '--label',
    'com.docker.compose.service=api',
    '-e',
    'API_TOKEN=never-shown-in-the-page',
    '-e',
    'PORT=8080',
    image,
    'sh',
    '-c',
    'echo "api starting on :8080"; echo "fatal: cannot reach db at db:5432" >&2; exit 3',
  ]);
  const incidentId = await openIncident(request);

  await signIn(page);

  // /containers: the crashed container, its state and stack.
  await page.goto(`/containers?endpoint=local&stack=${STACK}`);
  const row = page.getByTestId(`container-${NAME}`);
  await expect(row).toContainText('Exited (3)');
  await expect(row).toContainText(STACK);
  await expectNoSeriousA11yViolations(page);
  await page.goto('/containers?endpoint=local');
  await expect(page.getByTestId(`container-${NAME}`)).toBeVisible();
  await screenshotForGuide(page, 'containers');

  // The detail drawer: the secret is redacted, the log follows.
  await page.getByRole('button', { name: `Details of ${NAME}` }).click();
  const drawer = page.getByRole('dialog', { name: `Container ${NAME}` });
  await expect(drawer.getByTestId('env-API_TOKEN')).toContainText('********');
  await expect(drawer.getByTestId('env-PORT')).toContainText('8080');
  await expect(drawer).not.toContainText('never-shown-in-the-page');
  await expectNoSeriousA11yViolations(page);
  await screenshotForGuide(page, 'container-detail');
  await drawer.getByRole('tab', { name: 'Logs' }).click();
  await expect(
    drawer.getByText('fatal: cannot reach db at db:5432'),
  ).toBeVisible();
  await page.keyboard.press('Escape');

  // /logs: the same output, stderr lines marked.
  await page.goto(`/logs?endpoint=local&container=${id}`);
  const stderr = page
    .locator('.orch-log-line', { hasText: 'fatal: cannot reach db' })
    .first();
  await expect(stderr).toHaveClass(/orch-log-error/);
  await expect(
    page.getByText('The container stopped: its output ended.'),
  ).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await screenshotForGuide(page, 'logs');

  // /incidents: the open incident, linked to its page.
  await page.goto('/incidents');
  const link = page.getByRole('link', { name: NAME });
  await expect(link).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await screenshotForGuide(page, 'incidents');

  await link.click();
  await expect(page).toHaveURL(new RegExp(`/incidents/${incidentId}$`));
  await expect(
    page.getByRole('heading', { level: 1, name: NAME }),
  ).toBeVisible();
  await expect(page.getByTestId('incident-reason')).toHaveText(
    'Exited with code 3',
  );
  await expect(
    page
      .getByRole('region', { name: `Output of ${NAME}` })
      .getByText('fatal: cannot reach db at db:5432'),
  ).toBeVisible();
  await expect(
    page
      .getByRole('region', { name: 'Spec at opening' })
      .getByTestId('env-API_TOKEN'),
  ).toContainText('********');
  await expect(page.getByRole('button', { name: 'Resolve' })).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await screenshotForGuide(page, 'incident');

  await page.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(page.getByText(/^Acknowledged by admin, /)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Acknowledge' })).toBeHidden();
});
