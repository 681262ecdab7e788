// Loaded only by `prisma dev`, which this project does not use (see package.json "description").
throw new Error('@prisma/streams-local is stubbed in this project: `prisma dev` is not supported here; use the Postgres of README "Quick start".');
