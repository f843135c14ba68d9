-- 006_ratelimit: request counters every node shares (src/server/ratelimit.c).
-- One row per counter and fixed window: name is "what:whom" (e.g.
-- "claim:a:192.0.2.7", "signing:h:10000000146"), win the window's start
-- (unix seconds), n the requests counted in it.  A request adds one with
-- INSERT ... ON CONFLICT DO UPDATE ... RETURNING n, which both SQLite and
-- PostgreSQL run atomically; windows that ended are purged by housekeeping.
CREATE TABLE rate_counters (
    name TEXT NOT NULL,
    win BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (name, win)
);
CREATE INDEX rate_counters_win ON rate_counters (win);
