-- The claim counter that fences an export's writes moves out of `attempts` (which counted every
-- activation, polls of a healthy recurring export included) into `claims`; `attempts` now counts
-- the failed calls in a row at the current step, as `last_error.attempt` does.
ALTER TABLE "exports" ADD COLUMN "claims" INTEGER NOT NULL DEFAULT 0;
UPDATE "exports" SET "claims" = "attempts", "attempts" = COALESCE(("last_error"->>'attempt')::int, 0);
