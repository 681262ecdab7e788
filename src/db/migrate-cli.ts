// `npm run db:migrate`: applies pending migrations to DATABASE_URL and exits.
import { loadConfig } from '../config.js';
import { migrate } from './migrate.js';

const config = loadConfig();
const applied = await migrate(config.database.url);
console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
