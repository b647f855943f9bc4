// @ts-check

/*
 * Project installs: a parent job (kind `project`) whose steps are child
 * jobs. The parent keeps the manifest it was created from, so a worker that
 * takes it over (restart, lost worker) runs exactly what was validated.
 * A parent's `job_steps` rows are the manifest's steps, each naming the
 * child job that runs it.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('jobs', table => {
    table.string('kind', 16).notNullable().defaultTo('runbook');
    table.string('project_name').nullable();
    table.string('project_repository').nullable();
    table.string('project_ref').nullable();
    table
      .text('project_json')
      .nullable()
      .comment('The validated manifest of a project install (no secrets)');
    table.integer('step_index').nullable();
    table.index(['kind', 'status'], 'jobs_kind_status_idx');
  });
  await knex.schema.alterTable('job_steps', table => {
    table.string('child_job_id', 36).nullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('job_steps', table => {
    table.dropColumn('child_job_id');
  });
  await knex.schema.alterTable('jobs', table => {
    table.dropIndex(['kind', 'status'], 'jobs_kind_status_idx');
    table.dropColumn('step_index');
    table.dropColumn('project_json');
    table.dropColumn('project_ref');
    table.dropColumn('project_repository');
    table.dropColumn('project_name');
    table.dropColumn('kind');
  });
};
