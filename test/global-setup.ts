import { openPostgres } from '../src/database/db.js';
import { TEST_DATABASE_URL } from './helpers/db.js';

/**
 * Creates the vector extension once, in `public` of the test database, before any test file
 * runs. Test files each get a schema of their own with `public` second on the search path: if
 * the first file to need pgvector created it inside its own schema, the other files would not
 * see the type, and dropping that schema would drop the extension under them.
 */
export default async function setup(): Promise<void> {
  const admin = await openPostgres({ url: TEST_DATABASE_URL, poolSize: 1 });
  try {
    await admin.query('CREATE EXTENSION IF NOT EXISTS vector SCHEMA public');
  } finally {
    await admin.close();
  }
}
