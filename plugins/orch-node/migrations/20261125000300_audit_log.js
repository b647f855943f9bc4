// @ts-check

/*
 * The audit log: an append-only record of critical actions. The store has
 * no update or delete path; rows are only ever inserted and read.
 *
 * `ts` is written as a Date by the store (see the first migration's note on
 * SQLite timestamps). `metadata_json` is already stripped of secrets and
 * capped in size by the writer.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('audit_log', table => {
    table.comment('Append-only record of critical actions');
    table.bigIncrements('id').primary();
    table.string('actor').notNullable();
    table.string('action').notNullable();
    table.string('target_type').nullable();
    table.string('target_id').nullable();
    table.timestamp('ts', { useTz: true, precision: 3 }).notNullable();
    table
      .string('outcome', 16)
      .notNullable()
      .comment("'success' | 'failure' | 'denied'");
    table
      .string('client', 200)
      .nullable()
      .comment('IP address and user agent summary');
    table.text('metadata_json').nullable();
    table.index(['action'], 'audit_log_action_idx');
    table.index(['ts'], 'audit_log_ts_idx');
    table.index(['actor'], 'audit_log_actor_idx');
    table.index(['target_type', 'target_id'], 'audit_log_target_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('audit_log');
};
