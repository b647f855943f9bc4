import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import {
  ManifestError,
  OrchProjectManifest,
  RunbookDescriptor,
  SECRET_KEYWORD,
} from '@internal/backstage-plugin-orch-common';

/** `owner/name` of the GitHub repository a project comes from. */
export const ORCH_REPOSITORY_ANNOTATION = 'orch.io/repository';
/** The tag (or other ref) its manifest was read at. */
export const ORCH_REF_ANNOTATION = 'orch.io/ref';
/** Where the manifest is: `file:/…/orch.yaml` or its GitHub page. */
export const ORCH_MANIFEST_LOCATION_ANNOTATION = 'orch.io/manifest-location';
/** The project an install template installs. */
export const ORCH_PROJECT_ANNOTATION = 'orch.io/project';
/** The runbook a `Resource` stands for. */
export const ORCH_RUNBOOK_ANNOTATION = 'orch.io/runbook';
/**
 * On the `Component` of a project whose manifest is invalid: its errors, as
 * a JSON array of `{path, line?, column?, rule, message}`.
 */
export const ORCH_MANIFEST_ERRORS_ANNOTATION = 'orch.io/manifest-errors';

/** Environments a project can be installed into. */
export const INSTALL_ENVIRONMENTS = ['prod', 'stage'];
/** The scaffolder action a template's single step runs. */
export const INSTALL_ACTION = 'orch:project:install';

/** Annotation values stay readable; the full list is in the logs. */
const MAX_ERRORS_ANNOTATION = 8000;

/** A project as a source (the local folder or GitHub) found it. */
export type LoadedProject = {
  /** The entity name: the manifest's name, else the folder or repository name. */
  name: string;
  /** The catalog location (`file:…` or `url:…`), also the location key. */
  location: string;
  /** Where a person reads the manifest. */
  manifestLocation: string;
  /** `owner/name` on GitHub; absent for the local manifests. */
  repository?: string;
  ref?: string;
  /** Installable refs, newest first (GitHub). */
  refs?: string[];
  manifest?: OrchProjectManifest;
  errors: ManifestError[];
};

/** Options shared by the entity builders. */
export type ProjectEntityOptions = {
  /** Owner of runbook resources and of projects whose manifest is unreadable. */
  defaultOwner: string;
  /** The app's address (`app.baseUrl`): runbook pages are linked from it. */
  appBaseUrl?: string;
};

/** `spec.steps[1].runbook (line 12): pattern: must match …` */
export function formatManifestError(error: ManifestError): string {
  const where = error.path || '(file)';
  const line = error.line ? ` (line ${error.line})` : '';
  return `${where}${line}: ${error.rule}: ${error.message}`;
}

function locationAnnotations(project: LoadedProject): Record<string, string> {
  return {
    [ANNOTATION_LOCATION]: project.location,
    [ANNOTATION_ORIGIN_LOCATION]: project.location,
    [ORCH_MANIFEST_LOCATION_ANNOTATION]: project.manifestLocation,
    ...(project.repository
      ? { [ORCH_REPOSITORY_ANNOTATION]: project.repository }
      : {}),
    ...(project.ref ? { [ORCH_REF_ANNOTATION]: project.ref } : {}),
  };
}

/**
 * The entities of one project: a `Component` (`spec.type: orch-project`)
 * that depends on its runbooks and dependencies, and an `install-<name>`
 * scaffolder `Template`. An invalid manifest gives only the `Component`,
 * carrying its errors in {@link ORCH_MANIFEST_ERRORS_ANNOTATION}.
 */
export function projectEntities(
  project: LoadedProject,
  options: ProjectEntityOptions,
): Entity[] {
  const { manifest } = project;
  if (!manifest) {
    let errors = JSON.stringify(project.errors);
    if (errors.length > MAX_ERRORS_ANNOTATION) {
      errors = JSON.stringify(project.errors.slice(0, 20));
    }
    return [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: project.name,
          description: `Invalid orch.yaml: ${project.errors
            .map(formatManifestError)
            .join('; ')}`.slice(0, 1000),
          tags: ['orch-project'],
          annotations: {
            ...locationAnnotations(project),
            [ORCH_MANIFEST_ERRORS_ANNOTATION]: errors,
          },
        },
        spec: {
          type: 'orch-project',
          lifecycle: 'production',
          owner: options.defaultOwner,
        },
      },
    ];
  }

  const { metadata, spec } = manifest;
  const dependsOn = new Set<string>();
  for (const dependency of spec.dependencies) {
    dependsOn.add(
      dependency.project
        ? `component:default/${dependency.project}`
        : `resource:default/${dependency.runbook}`,
    );
  }
  for (const step of [...spec.steps, ...spec.rollback]) {
    dependsOn.add(`resource:default/${step.runbook}`);
  }
  const links = metadata.links.map(l => ({
    url: l.url,
    ...(l.title ? { title: l.title } : {}),
  }));
  const title = metadata.title ?? metadata.name;

  const component: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: metadata.name,
      title,
      ...(metadata.description ? { description: metadata.description } : {}),
      tags: metadata.tags,
      links,
      annotations: locationAnnotations(project),
    },
    spec: {
      type: 'orch-project',
      lifecycle: 'production',
      owner: metadata.owner,
      dependsOn: [...dependsOn].sort(),
    },
  };

  return [component, installTemplate(project, manifest)];
}

/**
 * The `install-<name>` template: the manifest's inputs as the form (secrets
 * through the scaffolder's `Secret` field, so they travel as task secrets and
 * are never stored with the task's parameters), an environment and, for a
 * GitHub project, the tag; one `orch:project:install` step.
 */
function installTemplate(
  project: LoadedProject,
  manifest: OrchProjectManifest,
): Entity {
  const { metadata, spec } = manifest;
  const schema = spec.inputs;
  const properties = isObject(schema.properties) ? schema.properties : {};
  const formProperties: Record<string, unknown> = {};
  const stepInputs: Record<string, string> = {};
  for (const [key, property] of Object.entries(properties)) {
    const secret = isObject(property) && property[SECRET_KEYWORD] === true;
    const { [SECRET_KEYWORD]: _marker, ...rest } = isObject(property)
      ? property
      : {};
    formProperties[key] = secret
      ? { ...rest, 'ui:field': 'Secret', 'ui:widget': 'password' }
      : rest;
    stepInputs[key] = secret
      ? `\${{ secrets.${key} }}`
      : `\${{ parameters.${key} }}`;
  }
  const required = Array.isArray(schema.required) ? schema.required : [];

  const install: Record<string, unknown> = {
    project: metadata.name,
    ...(project.repository ? { repository: project.repository } : {}),
    ...(project.ref ? { ref: '${{ parameters.ref }}' } : {}),
    inputs: stepInputs,
    environment: '${{ parameters.environment }}',
  };
  const title = metadata.title ?? metadata.name;

  return {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: {
      name: `install-${metadata.name}`,
      title: `Install ${title}`,
      description:
        metadata.description ??
        `Installs the ${title} project: one Orch job per step of its orch.yaml.`,
      tags: [...new Set(['orch', 'install', ...metadata.tags])],
      annotations: {
        ...locationAnnotations(project),
        [ORCH_PROJECT_ANNOTATION]: metadata.name,
      },
    },
    // The form and the step are JSON by construction (the manifest is).
    spec: {
      owner: metadata.owner,
      type: 'orch-project',
      parameters: [
        {
          title,
          ...(required.length > 0 ? { required } : {}),
          properties: formProperties,
        },
        {
          title: 'Where',
          required: project.ref ? ['environment', 'ref'] : ['environment'],
          properties: {
            environment: {
              title: 'Environment',
              type: 'string',
              enum: INSTALL_ENVIRONMENTS,
              default: 'stage',
            },
            ...(project.ref
              ? {
                  ref: {
                    title: 'Version (tag)',
                    type: 'string',
                    enum: project.refs ?? [project.ref],
                    default: project.ref,
                  },
                }
              : {}),
          },
        },
      ],
      steps: [
        {
          id: 'install',
          name: `Install ${title}`,
          action: INSTALL_ACTION,
          input: install,
        },
      ],
      output: {
        links: [
          {
            title: 'Install job',
            url: '/jobs/${{ steps.install.output.jobId }}',
          },
        ],
      },
    } as Entity['spec'],
  };
}

/** A runbook as a `Resource` (`spec.type: runbook`), so search finds it. */
export function runbookEntity(
  runbook: RunbookDescriptor,
  options: ProjectEntityOptions & { location: string },
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: runbook.name,
      title: runbook.title,
      description: runbook.description,
      tags: [
        ...new Set(
          ['runbook', runbook.category, `risk-${runbook.risk}`].map(toTag),
        ),
      ],
      annotations: {
        [ANNOTATION_LOCATION]: options.location,
        [ANNOTATION_ORIGIN_LOCATION]: options.location,
        [ORCH_RUNBOOK_ANNOTATION]: runbook.name,
      },
      // Catalog links must be absolute URLs.
      ...(options.appBaseUrl
        ? {
            links: [
              {
                url: `${options.appBaseUrl.replace(/\/+$/, '')}/runbooks/${
                  runbook.name
                }/execute`,
                title: 'Run it',
              },
            ],
          }
        : {}),
    },
    spec: {
      type: 'runbook',
      owner: options.defaultOwner,
    },
  };
}

function toTag(value: string): string {
  return (
    value
      .toLowerCase()
      .replace(/[^a-z0-9:+#]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63) || 'runbook'
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
