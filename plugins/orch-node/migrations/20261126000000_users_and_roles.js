// @ts-check

/*
 * Orch's own users (password sign-in), the roles they can hold and which
 * user holds which role.
 *
 * `email` is stored trimmed and lowercased by the store, so the plain unique
 * index makes it unique case-insensitively on both engines. `entity_ref` is
 * the user's Backstage identity (`user:default/<name>`), fixed at creation.
 * `password_hash` is a self-describing scrypt string (algorithm, parameters,
 * salt and hash); never a password.
 *
 * Timestamps are written as Date objects by the store (see the first
 * migration's note on SQLite timestamps).
 */

const ROLES = [
  { name: 'admin', description: 'Everything, including users and connections' },
  {
    name: 'operator',
    description: 'Runs, cancels and relaunches runbooks; reads connections',
  },
  { name: 'viewer', description: 'Reads runbooks and jobs' },
];

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('users', table => {
    table.comment('Users who sign in to Orch with a password');
    table.string('id', 36).primary().notNullable().comment('A UUID');
    table.string('email', 320).notNullable().comment('Trimmed and lowercased');
    table.string('display_name').notNullable();
    table
      .string('entity_ref')
      .notNullable()
      .comment('Backstage user entity ref, e.g. user:default/alice');
    table
      .text('password_hash')
      .notNullable()
      .comment('scrypt PHC-like string: algorithm, parameters, salt, hash');
    table
      .string('status', 16)
      .notNullable()
      .defaultTo('active')
      .comment("'active' | 'disabled'");
    table.boolean('must_change_password').notNullable().defaultTo(false);
    table.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    table.timestamp('updated_at', { useTz: true, precision: 3 }).notNullable();
    table
      .timestamp('password_changed_at', { useTz: true, precision: 3 })
      .nullable();

    table.unique(['email'], { indexName: 'users_email_uq' });
    table.unique(['entity_ref'], { indexName: 'users_entity_ref_uq' });
    table.index(['status'], 'users_status_idx');
  });

  await knex.schema.createTable('roles', table => {
    table.comment('Roles a user can hold; what each allows is the policy');
    table.string('name', 32).primary().notNullable();
    table.string('description').nullable();
  });
  await knex('roles').insert(ROLES);

  await knex.schema.createTable('user_roles', table => {
    table.comment('Which user holds which role');
    table
      .string('user_id', 36)
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE');
    table.string('role', 32).notNullable().references('name').inTable('roles');
    table.primary(['user_id', 'role']);
    table.index(['role'], 'user_roles_role_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('user_roles');
  await knex.schema.dropTable('roles');
  await knex.schema.dropTable('users');
};
