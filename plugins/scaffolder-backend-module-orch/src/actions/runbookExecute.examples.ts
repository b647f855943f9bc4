import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Runs the hello runbook in stage and waits for it, its log in the task log',
    example: stringify({
      steps: [
        {
          id: 'hello',
          action: 'orch:runbook:execute',
          name: 'Say hello',
          input: {
            runbook: 'hello',
            environment: 'stage',
            inputs: { message: '${{ parameters.message }}', count: 2 },
            wait: true,
          },
        },
      ],
    }),
  },
  {
    description: 'Deploys a stack file with a Docker connection, without waiting',
    example: stringify({
      steps: [
        {
          id: 'deploy',
          action: 'orch:runbook:execute',
          name: 'Deploy the stack',
          input: {
            runbook: 'swarm_deploy',
            environment: 'prod',
            connections: ['${{ parameters.dockerConnection }}'],
            inputs: { stack_name: 'demo', stack_file: 'demo-sleeper.yml' },
          },
        },
      ],
    }),
  },
];
