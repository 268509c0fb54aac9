-- What the pattern stage keeps in memory between passes (the population of every window,
-- `flags::population`) is valid only while the items it has read keep their customers.
--  * `pattern_inputs.generation` counts the changes that make it stale: any change of
--    customer of an item the flag stages may have read — a person's merge, split or relink,
--    an automatic merge, `links recompute`. An item still waiting for the link stage
--    (`linked_at IS NULL` with a `link_input`) is never read by the flag stages, so its first
--    decision is not such a change. The trigger catches every path that writes
--    `items.customer_id`, present and future.
--  * A pass whose generation differs from the one its memory was built at reads the whole
--    history again. PostgreSQL (several daemons, ids committed out of order) always does.
CREATE TABLE pattern_inputs (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO pattern_inputs (id, generation) VALUES (1, 0);

CREATE TRIGGER items_customer_changed AFTER UPDATE OF customer_id ON items
WHEN OLD.customer_id IS NOT NEW.customer_id
 AND NOT (OLD.linked_at IS NULL AND OLD.link_input IS NOT NULL)
BEGIN
    UPDATE pattern_inputs SET generation = generation + 1 WHERE id = 1;
END;
