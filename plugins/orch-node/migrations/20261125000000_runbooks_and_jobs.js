// @ts-check

/*
 * Runbooks synced from the descriptors in runbooks/, and jobs.
 *
 * Every timestamp column is `timestamptz(3)` on Postgres. On SQLite
 * (better-sqlite3) knex binds a Date as epoch milliseconds, so the store
 * always passes Date objects and never relies on a database default for a
 * timestamp: the values then compare correctly on both engines.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('runbooks', table => {
    table.comment('Runbook descriptors synced from the runbooks repository');
    table.string('name').primary().notNullable();
    table.string('version', 64).notNullable();
    table.string('title').notNullable();
    table.string('category').notNullable();
    table.string('risk', 16).notNullable();
    table
      .text('schema_json')
      .notNullable()
      .comment('JSON Schema of the inputs');
    table.text('descriptor_json').notNullable().comment('The whole descriptor');
    table.boolean('enabled').notNullable().defaultTo(true);
    table.timestamp('synced_at', { useTz: true, precision: 3 }).notNullable();
  });

  await knex.schema.createTable('jobs', table => {
    table.comment('One execution of a runbook');
    table.string('id', 36).primary().notNullable();
    table.string('runbook_name').notNullable();
    table.string('runbook_version', 64).notNullable();
    table.string('status', 16).notNullable();
    table.string('environment').notNullable();
    table
      .text('input_json')
      .notNullable()
      .comment('Inputs without their secret values');
    table
      .text('secrets_encrypted')
      .nullable()
      .comment('Ciphertext of the secret inputs; cleared when the job ends');
    table.text('connections_json').notNullable().defaultTo('[]');
    table.text('output_json').nullable();
    table.text('error').nullable();
    table.integer('rc').nullable();
    table.string('created_by').notNullable();
    table.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    table.timestamp('started_at', { useTz: true, precision: 3 }).nullable();
    table.timestamp('finished_at', { useTz: true, precision: 3 }).nullable();
    table.integer('attempt').notNullable().defaultTo(0);
    table.string('worker').nullable();
    table.timestamp('heartbeat_at', { useTz: true, precision: 3 }).nullable();
    table.string('parent_job_id', 36).nullable();
    table.boolean('cancel_requested').notNullable().defaultTo(false);

    table.index(['status'], 'jobs_status_idx');
    table.index(['parent_job_id'], 'jobs_parent_job_id_idx');
    table.index(['created_at', 'id'], 'jobs_created_at_id_idx');
    table.index(['status', 'heartbeat_at'], 'jobs_status_heartbeat_at_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('jobs');
  await knex.schema.dropTable('runbooks');
};
