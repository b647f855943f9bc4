// @ts-check

/*
 * Runner events of a job and the steps folded from them. Both go with their
 * job when it is deleted.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('job_steps', table => {
    table.comment('Tasks of a job with their per-host results');
    table
      .string('job_id', 36)
      .notNullable()
      .references('id')
      .inTable('jobs')
      .onDelete('CASCADE');
    table.integer('idx').notNullable();
    table.text('play').notNullable();
    table.text('task').notNullable();
    table.string('status', 16).notNullable();
    table.text('hosts_json').notNullable();
    table.timestamp('started_at', { useTz: true, precision: 3 }).notNullable();
    table.timestamp('finished_at', { useTz: true, precision: 3 }).nullable();
    table.integer('first_seq').notNullable();
    table.primary(['job_id', 'idx']);
  });

  await knex.schema.createTable('job_events', table => {
    table.comment('Redacted runner events; seq is the runner counter');
    table
      .string('job_id', 36)
      .notNullable()
      .references('id')
      .inTable('jobs')
      .onDelete('CASCADE');
    table.integer('seq').notNullable();
    table.timestamp('ts', { useTz: true, precision: 3 }).notNullable();
    table.string('level', 16).notNullable();
    table.string('type', 64).notNullable();
    table.string('host').nullable();
    table.text('task').nullable();
    table.text('stdout').notNullable();
    table.text('data_json').nullable();
    table.primary(['job_id', 'seq']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('job_events');
  await knex.schema.dropTable('job_steps');
};
