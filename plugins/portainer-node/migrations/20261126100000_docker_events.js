// @ts-check

/*
 * Docker events as the watchers received them, kept for a retention period
 * (DatabaseIncidentStore.pruneEvents).
 *
 * Docker has no event id: an event is identified by its endpoint, its time in
 * nanoseconds, its actor and its action, and the unique index on those makes
 * inserts idempotent (replays after a reconnect, several replicas watching
 * one engine). `time_nano` is a zero-padded decimal string: nanoseconds since
 * the epoch do not fit a JavaScript number, and the padding keeps string order
 * equal to time order. `time` holds the same instant to the millisecond for
 * retention and readable queries; like every timestamp here it is written as
 * a Date by the store (epoch milliseconds on SQLite, timestamptz on Postgres).
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('docker_events', table => {
    table.comment('Docker engine events received by the watchers');
    table.bigIncrements('id').primary();
    table.string('endpoint_id', 200).notNullable();
    table
      .string('time_nano', 24)
      .notNullable()
      .comment('Nanoseconds since the epoch, zero-padded to 24 digits');
    table.timestamp('time', { useTz: true, precision: 3 }).notNullable();
    table.string('type', 32).notNullable();
    table.string('action', 64).notNullable();
    table
      .string('raw_action', 255)
      .notNullable()
      .comment('The action as Docker sent it, e.g. "health_status: unhealthy"');
    table.string('actor_id', 128).notNullable();
    table.string('container_name').nullable();
    table.string('service_name').nullable();
    table.string('stack').nullable();
    table.integer('exit_code').nullable();
    table.text('event_json').notNullable().comment('The parsed event');
    table.unique(['endpoint_id', 'time_nano', 'actor_id', 'raw_action'], {
      indexName: 'docker_events_identity_uq',
    });
    table.index(['time'], 'docker_events_time_idx');
    table.index(['actor_id'], 'docker_events_actor_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('docker_events');
};
