-- Which API replica exports the platform-wide gauges (queue depth, jobs by status). Every replica
-- reads the same tables; only the holder of a live row exports the values and the others export
-- 0, so sum() over replicas counts each job once. The holder renews its row every few seconds; a
-- row not renewed before expires_at is taken over by the next replica that asks.
CREATE TABLE metrics_reporters (
    name       text PRIMARY KEY,
    holder     text NOT NULL,
    expires_at timestamptz NOT NULL
);
