// @ts-check

/*
 * Connections: the credentials a job uses. Non-secret fields are plain JSON;
 * the secret ones are one SecretBox ciphertext, with the id of the key it
 * was sealed with so key rotation can find what is left to re-encrypt.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('connections', table => {
    table.comment('Credentials a job uses; secrets encrypted at rest');
    table.string('id', 36).primary().notNullable();
    table.string('type', 32).notNullable();
    table.string('name', 100).notNullable();
    table.string('environment', 50).notNullable();
    table.text('description').nullable();
    table.text('config_json').notNullable().comment('The non-secret fields');
    table
      .text('encrypted_payload')
      .notNullable()
      .comment('SecretBox ciphertext of the JSON of the secret fields');
    table.string('key_id', 64).notNullable();
    table.string('created_by').notNullable();
    table.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    table.timestamp('updated_at', { useTz: true, precision: 3 }).notNullable();

    table.unique(['name', 'environment'], {
      indexName: 'connections_name_environment_uq',
    });
    table.index(['type'], 'connections_type_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('connections');
};
