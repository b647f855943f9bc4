// @ts-check

/*
 * Incidents opened from Docker events, and their timelines.
 *
 * At most one incident per (endpoint, subject, reason) is open or
 * acknowledged at a time: a partial unique index enforces it (Postgres and
 * SQLite both have them), so two replicas that see the same failure cannot
 * open two incidents. `first_seen` never changes and orders the newest-first
 * keyset pages; `last_seen` moves with every recurrence and drives the quiet
 * period. `context_json` is the document captured at opening (logs, spec with
 * secrets redacted, related jobs).
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('incidents', table => {
    table.comment('Container and service failures, deduplicated while open');
    table.string('id', 36).primary().notNullable();
    table.string('endpoint_id', 200).notNullable();
    table
      .string('subject_kind', 16)
      .notNullable()
      .comment("'container' | 'service'");
    table
      .string('subject')
      .notNullable()
      .comment('Container name or service name');
    table.string('container_id', 128).nullable();
    table.string('container_name').nullable();
    table.string('service').nullable();
    table.string('stack').nullable();
    table
      .string('reason', 16)
      .notNullable()
      .comment("'die' | 'oom' | 'unhealthy'");
    table
      .string('status', 16)
      .notNullable()
      .comment("'open' | 'acknowledged' | 'resolved'");
    table.integer('count').notNullable().defaultTo(1);
    table.timestamp('first_seen', { useTz: true, precision: 3 }).notNullable();
    table.timestamp('last_seen', { useTz: true, precision: 3 }).notNullable();
    table.integer('exit_code').nullable();
    table
      .timestamp('acknowledged_at', { useTz: true, precision: 3 })
      .nullable();
    table.string('acknowledged_by').nullable();
    table.timestamp('resolved_at', { useTz: true, precision: 3 }).nullable();
    table.string('resolved_by').nullable();
    table.text('context_json').notNullable();
    table.index(['first_seen', 'id'], 'incidents_first_seen_id_idx');
    table.index(['status', 'last_seen'], 'incidents_status_last_seen_idx');
    table.index(['endpoint_id'], 'incidents_endpoint_idx');
    table.index(['stack'], 'incidents_stack_idx');
  });
  await knex.raw(
    `CREATE UNIQUE INDEX incidents_active_subject_uq
       ON incidents (endpoint_id, subject_kind, subject, reason)
       WHERE status <> 'resolved'`,
  );

  await knex.schema.createTable('incident_timeline', table => {
    table.comment('What happened to each incident, in order');
    table.bigIncrements('id').primary();
    table
      .string('incident_id', 36)
      .notNullable()
      .references('id')
      .inTable('incidents')
      .onDelete('CASCADE');
    table.timestamp('ts', { useTz: true, precision: 3 }).notNullable();
    table
      .string('kind', 32)
      .notNullable()
      .comment("'opened' | 'recurred' | 'event' | 'acknowledged' | 'resolved'");
    table.text('detail').notNullable();
    table.text('data_json').nullable();
    table.index(['incident_id', 'id'], 'incident_timeline_incident_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('incident_timeline');
  await knex.schema.dropTable('incidents');
};
