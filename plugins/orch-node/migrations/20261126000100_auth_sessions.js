// @ts-check

/*
 * Password sign-in sessions. A session is one sign-in; it holds a chain of
 * single-use refresh tokens, stored only as SHA-256 hashes. A token that is
 * presented a second time reveals a stolen chain: the whole session is
 * revoked (see DatabaseSessionStore.rotate).
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('auth_sessions', table => {
    table.comment('Password sign-in sessions (one per sign-in)');
    table.string('id', 36).primary().notNullable();
    table
      .string('user_id', 36)
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE');
    table.boolean('remember').notNullable().defaultTo(false);
    table.string('client', 300).notNullable();
    table.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    table.timestamp('last_used_at', { useTz: true, precision: 3 }).notNullable();
    table.timestamp('expires_at', { useTz: true, precision: 3 }).notNullable();
    table.timestamp('revoked_at', { useTz: true, precision: 3 }).nullable();
    table.string('revoked_reason', 64).nullable();
    table.index(['user_id'], 'auth_sessions_user_idx');
    table.index(['expires_at'], 'auth_sessions_expires_idx');
  });

  await knex.schema.createTable('refresh_tokens', table => {
    table.comment('Single-use refresh tokens, SHA-256 hashed');
    table.string('token_hash', 64).primary().notNullable();
    table
      .string('session_id', 36)
      .notNullable()
      .references('id')
      .inTable('auth_sessions')
      .onDelete('CASCADE');
    table.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    table.timestamp('used_at', { useTz: true, precision: 3 }).nullable();
    table.index(['session_id'], 'refresh_tokens_session_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('refresh_tokens');
  await knex.schema.dropTable('auth_sessions');
};
