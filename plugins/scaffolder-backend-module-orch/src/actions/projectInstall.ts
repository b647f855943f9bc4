import type { ProjectInstallPlan } from '@internal/backstage-plugin-orch-common';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';
import type { OrchClient } from './OrchClient';
import { examples } from './projectInstall.examples';

/**
 * `orch:project:install`: installs an Orch project (its `orch.yaml`) as the
 * template's user. Orch enqueues one parent job whose steps are child jobs;
 * by default the action waits for it, mirroring the install's log, and
 * fails the step unless it ends SUCCESS. A dry run (or `dryRun: true`)
 * logs the resolved plan and enqueues nothing.
 * @public
 */
export function createOrchProjectInstallAction(options: { client: OrchClient }) {
  const { client } = options;
  return createTemplateAction({
    id: 'orch:project:install',
    description:
      'Installs an Orch project: one parent job with a child job per manifest step, for the user running the template.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        project: z => z.string().min(1).describe('Name of the project (metadata.name of its orch.yaml)'),
        repository: z =>
          z.string().optional().describe('owner/name of the GitHub repository holding the manifest'),
        ref: z => z.string().optional().describe('Tag, branch or commit of the repository'),
        inputs: z =>
          z.record(z.any()).optional().describe("Values of the manifest's spec.inputs"),
        environment: z => z.string().min(1).describe('Environment to install in, e.g. stage'),
        dryRun: z =>
          z.boolean().optional().describe('Only validate and print the resolved plan'),
        wait: z =>
          z
            .boolean()
            .optional()
            .describe('Wait for the install to end, mirroring its log (default true)'),
      },
      output: {
        jobId: z => z.string().describe('Id of the parent job'),
        status: z => z.string().describe('Status of the install (its final one with wait)'),
        outputs: z =>
          z.record(z.any()).describe("The manifest's outputs, rendered (with wait, on success)"),
      },
    },
    async handler(ctx) {
      const { project, repository, ref, environment } = ctx.input;
      const body = {
        project,
        ...(repository ? { repository } : {}),
        ...(ref ? { ref } : {}),
        inputs: ctx.input.inputs ?? {},
        environment,
      };
      const credentials = await ctx.getInitiatorCredentials();

      if (ctx.isDryRun || ctx.input.dryRun) {
        const { body: plan } = await client.request<ProjectInstallPlan>(
          credentials,
          'POST',
          '/v1/projects/install',
          { ...body, dryRun: true },
        );
        ctx.logger.info(
          `install plan of ${project} in ${environment} (nothing enqueued):\n${stringify(plan)}`,
        );
        ctx.output('jobId', 'dry-run');
        ctx.output('status', 'DRY_RUN');
        ctx.output('outputs', {});
        return;
      }

      const jobId = await ctx.checkpoint({
        key: `orch.project.install.${ctx.step?.id ?? project}`,
        fn: async () => {
          const { body: created } = await client.request<{ jobId: string }>(
            credentials,
            'POST',
            '/v1/projects/install',
            body,
          );
          return created.jobId;
        },
      });
      ctx.logger.info(`enqueued the install of ${project} as Orch job ${jobId}`);
      ctx.output('jobId', jobId);
      if (ctx.input.wait === false) {
        ctx.output('status', 'PENDING');
        ctx.output('outputs', {});
        return;
      }
      const job = await client.follow(credentials, jobId, ctx.logger, ctx.signal);
      const report = (job.outputs ?? {}) as { outputs?: Record<string, unknown> };
      ctx.output('status', job.status);
      ctx.output('outputs', report.outputs ?? {});
      if (job.status !== 'SUCCESS') {
        throw new Error(
          `The install of ${project} (Orch job ${jobId}) ended ${job.status}${job.error ? `: ${job.error}` : ''}`,
        );
      }
    },
  });
}
