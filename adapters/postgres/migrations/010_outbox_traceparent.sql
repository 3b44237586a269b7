-- Tracing (optional, off by default): each outbox row keeps the W3C traceparent of the
-- handler that wrote it, so the relay, in whichever instance leads, can put it on the output
-- record's headers. The pool sets `ppu.traceparent` on a connection when tracing is on; with
-- tracing off the setting is never set and the column stays NULL. A stable default adds the
-- column without rewriting the table.
ALTER TABLE outbox
    ADD COLUMN traceparent text DEFAULT nullif(current_setting('ppu.traceparent', true), '');
