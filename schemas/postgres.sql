-- The tables `ledgerctl sink postgres` writes (README "PostgreSQL sink").
-- Run by the sink inside one transaction, with search_path set to the
-- target schema (default `ccl`), when that schema has no `sink_schema`
-- table yet. Names are unqualified for that reason.
--
-- The layout's version is the single row of sink_schema; the sink refuses a
-- schema holding another version rather than write into tables it does not
-- know. A change to anything below bumps it. Version 2: `events.payload`
-- holds the payload alone; version 1 held the whole `log --json` line,
-- envelope included (a version 1 schema is refused: sync into a new one).
--
-- Rows of the projection tables are the projections' report rows as of the
-- checkpoint's seq (the same columns as `ledgerctl export <name>`, plus the
-- figures only the JSON form carries); they are replaced in the transaction
-- that advances the checkpoint, so a reader never mixes two heads.

CREATE TABLE sink_schema (
  version integer NOT NULL
);
INSERT INTO sink_schema (version) VALUES (2);

-- At most one row: the last seq written, and the ledger it came from.
CREATE TABLE sink_checkpoint (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  ledger_id uuid NOT NULL,
  seq bigint NOT NULL CHECK (seq >= 0),
  chain_hash bytea NOT NULL CHECK (length(chain_hash) = 32),  -- h_seq
  synced_at timestamptz NOT NULL                              -- commit time
);

-- One row per event, the envelope as typed columns. effective_at and
-- recorded_at are truncated to microseconds (PostgreSQL's resolution); the
-- exact values are in `stored`. `payload` holds the rest of the event: the
-- keys `ledgerctl log --json` prints after the envelope (the type's own
-- fields, `currency` beside amounts, the ledger-assigned
-- applied_bill_rate_minor, sealed_* and awaits_approval), so the envelope
-- columns and `payload` together are that line.
CREATE TABLE events (
  seq bigint PRIMARY KEY CHECK (seq > 0),
  event_id uuid NOT NULL UNIQUE,
  type text NOT NULL,
  contract text NOT NULL,
  stream_version bigint NOT NULL CHECK (stream_version > 0),
  effective_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL,
  actor text NOT NULL,
  source text NOT NULL,
  note text,                                       -- NULL when absent
  payload jsonb NOT NULL,                          -- the event's payload (above)
  stored bytea NOT NULL,                           -- the stored FlatBuffers bytes
  chain_hash bytea NOT NULL CHECK (length(chain_hash) = 32),
  UNIQUE (contract, stream_version)                -- also the index by contract
);
CREATE INDEX events_effective_at ON events (effective_at);

CREATE TABLE balances (
  contract text NOT NULL,
  service_line text NOT NULL,
  funded_minutes bigint NOT NULL,
  consumed_minutes bigint NOT NULL,
  remaining_minutes bigint NOT NULL,
  overage_minutes bigint NOT NULL,
  PRIMARY KEY (contract, service_line)
);

-- Per customer, contract and month (YYYY-MM, UTC), in the contract's currency.
CREATE TABLE margins (
  customer text NOT NULL,
  contract text NOT NULL,
  month text NOT NULL CHECK (month ~ '^[0-9]{4}-[0-9]{2}$'),
  currency text NOT NULL,
  revenue_minor bigint NOT NULL,
  cost_minor bigint NOT NULL,
  margin_minor bigint NOT NULL,
  margin_bp bigint,                                -- NULL when revenue is 0
  PRIMARY KEY (contract, month, currency)
);

CREATE TABLE escalations (
  contract text NOT NULL,
  severity text NOT NULL,
  opened bigint NOT NULL,
  resolved bigint NOT NULL,
  open bigint NOT NULL,
  resolve_seconds_mean bigint,                     -- NULL when none resolved
  resolve_seconds_max bigint,
  minutes_booked bigint NOT NULL,
  PRIMARY KEY (contract, severity)
);

CREATE TABLE burn (
  contract text NOT NULL,
  service_line text NOT NULL,
  as_of date NOT NULL,
  funded_minutes bigint NOT NULL,
  consumed_minutes bigint NOT NULL,
  window_minutes bigint NOT NULL,
  burn_minutes_per_day bigint NOT NULL,
  term_end date,
  remaining_days bigint NOT NULL,
  projected_minutes bigint NOT NULL,
  exhaustion_date date,
  flag text NOT NULL,
  PRIMARY KEY (contract, service_line)
);
