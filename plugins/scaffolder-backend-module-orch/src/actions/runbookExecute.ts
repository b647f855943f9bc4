import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';
import type { OrchClient } from './OrchClient';
import { examples } from './runbookExecute.examples';

/**
 * `orch:runbook:execute`: enqueues one Orch runbook job as the template's
 * user; with `wait`, mirrors its log into the task log and fails the step
 * unless the job ends SUCCESS. A dry run validates with Orch and enqueues
 * nothing.
 * @public
 */
export function createOrchRunbookExecuteAction(options: { client: OrchClient }) {
  const { client } = options;
  return createTemplateAction({
    id: 'orch:runbook:execute',
    description:
      'Runs an Orch runbook as a job, for the user running the template (their permissions, their audit trail).',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        runbook: z => z.string().min(1).describe('Name of the runbook'),
        inputs: z =>
          z.record(z.any()).optional().describe("The runbook's inputs, per its JSON Schema"),
        environment: z => z.string().min(1).describe('Environment to run in, e.g. stage'),
        connections: z =>
          z.array(z.string()).optional().describe('Ids of the connections the job uses'),
        wait: z =>
          z
            .boolean()
            .optional()
            .describe('Wait for the job to end, mirroring its log; fail unless it succeeds'),
      },
      output: {
        jobId: z => z.string().describe('Id of the Orch job'),
        status: z => z.string().describe('Status of the job (its final one with wait)'),
        outputs: z =>
          z.record(z.any()).describe('Outputs of the job (with wait, once it ended)'),
      },
    },
    async handler(ctx) {
      const { runbook, environment, wait } = ctx.input;
      const body = {
        inputs: ctx.input.inputs ?? {},
        environment,
        connections: ctx.input.connections ?? [],
      };
      const credentials = await ctx.getInitiatorCredentials();
      const path = `/v1/runbooks/${encodeURIComponent(runbook)}/execute`;

      if (ctx.isDryRun) {
        const { body: plan } = await client.request(credentials, 'POST', path, {
          ...body,
          dryRun: true,
        });
        ctx.logger.info(`dry run of ${runbook}: valid; nothing enqueued\n${stringify(plan)}`);
        ctx.output('jobId', 'dry-run');
        ctx.output('status', 'DRY_RUN');
        ctx.output('outputs', {});
        return;
      }

      // A task resumed after a scaffolder restart must not run it twice.
      const jobId = await ctx.checkpoint({
        key: `orch.runbook.execute.${ctx.step?.id ?? runbook}`,
        fn: async () => {
          const { body: created } = await client.request<{ jobId: string }>(
            credentials,
            'POST',
            path,
            body,
          );
          return created.jobId;
        },
      });
      ctx.logger.info(`enqueued Orch job ${jobId} (${runbook} in ${environment})`);
      ctx.output('jobId', jobId);
      if (!wait) {
        ctx.output('status', 'PENDING');
        ctx.output('outputs', {});
        return;
      }
      const job = await client.follow(credentials, jobId, ctx.logger, ctx.signal);
      ctx.output('status', job.status);
      ctx.output('outputs', job.outputs ?? {});
      if (job.status !== 'SUCCESS') {
        throw new Error(`Orch job ${jobId} ended ${job.status}${job.error ? `: ${job.error}` : ''}`);
      }
    },
  });
}
