-- The advice claim keeps a purchase's advices in order: an advice is due only when no older
-- advice of the same purchase is still pending. Without this index that check scans every
-- pending advice for each candidate, and a backlog of a few thousand made one claim take 35 ms.
CREATE INDEX advices_pending_purchase_idx ON advices (purchase_id, created_at)
    WHERE state = 'PENDING';
