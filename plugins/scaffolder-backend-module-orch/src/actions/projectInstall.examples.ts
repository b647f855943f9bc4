import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Installs whoami-demo in stage with its defaults and waits for it',
    example: stringify({
      steps: [
        {
          id: 'install',
          action: 'orch:project:install',
          name: 'Install whoami-demo',
          input: {
            project: 'whoami-demo',
            environment: 'stage',
            inputs: {},
          },
        },
      ],
      output: {
        links: [{ title: 'Open the service', url: '${{ steps.install.output.outputs.url }}' }],
      },
    }),
  },
  {
    description: 'Prints the resolved plan of an install from a GitHub tag, enqueueing nothing',
    example: stringify({
      steps: [
        {
          id: 'plan',
          action: 'orch:project:install',
          name: 'Plan the install',
          input: {
            project: 'shop',
            repository: 'acme/shop',
            ref: 'v1.4.0',
            environment: 'prod',
            inputs: { replicas: 2 },
            dryRun: true,
          },
        },
      ],
    }),
  },
];
