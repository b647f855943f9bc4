import {
  createPermission,
  type Permission,
} from '@backstage/plugin-permission-common';
import { orchPermissions } from './permissions';
import {
  ORCH_ROLES,
  type OrchRole,
  isOrchRole,
  orchRolePermissions,
  permissionNamesFor,
  rolesAllow,
} from './rbac';

// The matrix of the spec, written out by hand so that the module's own table
// is checked against it rather than against itself.
const expected: Record<string, Record<OrchRole, boolean>> = {
  'orch.runbook.read': { admin: true, operator: true, viewer: true },
  'orch.runbook.execute': { admin: true, operator: true, viewer: false },
  'orch.runbook.manage': { admin: true, operator: false, viewer: false },
  'orch.job.read': { admin: true, operator: true, viewer: true },
  'orch.job.cancel': { admin: true, operator: true, viewer: false },
  'orch.job.relaunch': { admin: true, operator: true, viewer: false },
  'orch.connection.read': { admin: true, operator: true, viewer: false },
  'orch.connection.create': { admin: true, operator: false, viewer: false },
  'orch.connection.update': { admin: true, operator: false, viewer: false },
  'orch.connection.delete': { admin: true, operator: false, viewer: false },
  'orch.audit.read': { admin: true, operator: false, viewer: false },
  'orch.user.read': { admin: true, operator: false, viewer: false },
  'orch.user.manage': { admin: true, operator: false, viewer: false },
};

// Look-alikes of other plugins' permissions (same names, attributes and
// resource types as catalog-common and scaffolder-common declare them).
const resource = (
  name: string,
  resourceType: string,
  action?: 'create' | 'read' | 'update' | 'delete',
): Permission =>
  createPermission({
    name,
    attributes: action ? { action } : {},
    resourceType,
  });
const catalogEntityRead = resource(
  'catalog.entity.read',
  'catalog-entity',
  'read',
);
const catalogEntityCreate = resource(
  'catalog.entity.create',
  'catalog-entity',
  'create',
);
const catalogEntityDelete = resource(
  'catalog.entity.delete',
  'catalog-entity',
  'delete',
);
const catalogEntityRefresh = resource(
  'catalog.entity.refresh',
  'catalog-entity',
  'update',
);
const catalogLocationRead = createPermission({
  name: 'catalog.location.read',
  attributes: { action: 'read' },
});
const catalogLocationCreate = createPermission({
  name: 'catalog.location.create',
  attributes: { action: 'create' },
});
const taskCreate = createPermission({
  name: 'scaffolder.task.create',
  attributes: { action: 'create' },
});
const taskRead = createPermission({
  name: 'scaffolder.task.read',
  attributes: { action: 'read' },
});
const taskCancel = createPermission({
  name: 'scaffolder.task.cancel',
  attributes: {},
});
const actionExecute = resource(
  'scaffolder.action.execute',
  'scaffolder-action',
);
const parameterRead = resource(
  'scaffolder.template.parameter.read',
  'scaffolder-template',
  'read',
);
const stepRead = resource(
  'scaffolder.template.step.read',
  'scaffolder-template',
  'read',
);
const dryRun = createPermission({
  name: 'scaffolder.template.dry-run',
  attributes: {},
});
const templateManagement = createPermission({
  name: 'scaffolder.template.management',
  attributes: {},
});
// As portainer-common declares them.
const containerRead = createPermission({
  name: 'portainer.container.read',
  attributes: { action: 'read' },
});
const logsRead = createPermission({
  name: 'portainer.logs.read',
  attributes: { action: 'read' },
});
const incidentManage = createPermission({
  name: 'portainer.incident.manage',
  attributes: { action: 'update' },
});
const portainerFuture = createPermission({
  name: 'portainer.endpoint.manage',
  attributes: { action: 'update' },
});

describe('rolesAllow', () => {
  it('has a row for every orch permission', () => {
    expect(orchPermissions.map(p => p.name).sort()).toEqual(
      Object.keys(expected).sort(),
    );
  });

  describe.each(orchPermissions.map(p => [p.name, p] as const))(
    '%s',
    (name, permission) => {
      it.each(ORCH_ROLES.map(role => [role, expected[name][role]] as const))(
        '%s -> %s',
        (role, allowed) => {
          expect(rolesAllow([role], permission)).toBe(allowed);
        },
      );

      it('is denied without roles', () => {
        expect(rolesAllow([], permission)).toBe(false);
      });

      it('is allowed for a set of roles when one of them allows it', () => {
        const anyAllows = ORCH_ROLES.some(role => expected[name][role]);
        expect(rolesAllow([...ORCH_ROLES], permission)).toBe(anyAllows);
        expect(rolesAllow(['viewer', 'operator'], permission)).toBe(
          expected[name].viewer || expected[name].operator,
        );
      });
    },
  );

  it('gives an unknown orch permission to admins only, whatever its action', () => {
    const future = createPermission({
      name: 'orch.secret.read',
      attributes: { action: 'read' },
    });
    expect(rolesAllow(['admin'], future)).toBe(true);
    expect(rolesAllow(['operator', 'viewer'], future)).toBe(false);
  });

  it('ignores strings that are not roles', () => {
    const bogus = ['root', 'Admin'] as unknown as OrchRole[];
    for (const permission of [...orchPermissions, catalogEntityRead]) {
      expect(rolesAllow(bogus, permission)).toBe(false);
    }
  });

  const nonOrch: Array<[Permission, Record<OrchRole, boolean>]> = [
    [catalogEntityRead, { admin: true, operator: true, viewer: true }],
    [catalogLocationRead, { admin: true, operator: true, viewer: true }],
    [catalogEntityCreate, { admin: true, operator: false, viewer: false }],
    [catalogEntityDelete, { admin: true, operator: false, viewer: false }],
    [catalogEntityRefresh, { admin: true, operator: false, viewer: false }],
    [catalogLocationCreate, { admin: true, operator: false, viewer: false }],
    [taskCreate, { admin: true, operator: true, viewer: false }],
    [taskRead, { admin: true, operator: true, viewer: true }],
    [taskCancel, { admin: true, operator: true, viewer: false }],
    [actionExecute, { admin: true, operator: true, viewer: false }],
    [parameterRead, { admin: true, operator: true, viewer: true }],
    [stepRead, { admin: true, operator: true, viewer: true }],
    [dryRun, { admin: true, operator: false, viewer: false }],
    [templateManagement, { admin: true, operator: false, viewer: false }],
    [containerRead, { admin: true, operator: true, viewer: true }],
    [logsRead, { admin: true, operator: true, viewer: true }],
    [incidentManage, { admin: true, operator: true, viewer: false }],
    [portainerFuture, { admin: true, operator: false, viewer: false }],
  ];

  describe.each(nonOrch.map(([p, row]) => [p.name, p, row] as const))(
    'non-orch %s',
    (_name, permission, row) => {
      it.each(ORCH_ROLES.map(role => [role, row[role]] as const))(
        '%s -> %s',
        (role, allowed) => {
          expect(rolesAllow([role], permission)).toBe(allowed);
        },
      );

      it('is denied without roles', () => {
        expect(rolesAllow([], permission)).toBe(false);
      });
    },
  );
});

describe('permissionNamesFor', () => {
  it.each(ORCH_ROLES)(
    'lists what %s is allowed, in declaration order',
    role => {
      const names = orchPermissions
        .map(p => p.name)
        .filter(name => expected[name][role]);
      expect(permissionNamesFor([role])).toEqual(names);
      expect([...orchRolePermissions[role]].sort()).toEqual([...names].sort());
    },
  );

  it('gives every orch permission to admins', () => {
    expect(permissionNamesFor(['admin'])).toEqual(
      orchPermissions.map(p => p.name),
    );
  });

  it('unions several roles without duplicates', () => {
    expect(permissionNamesFor(['viewer', 'operator', 'viewer'])).toEqual(
      permissionNamesFor(['operator']),
    );
  });

  it('is empty without roles', () => {
    expect(permissionNamesFor([])).toEqual([]);
  });
});

describe('isOrchRole', () => {
  it('accepts exactly the three roles', () => {
    expect(ORCH_ROLES.every(isOrchRole)).toBe(true);
    expect(['Admin', 'root', '', null, undefined, 1].some(isOrchRole)).toBe(
      false,
    );
  });
});
