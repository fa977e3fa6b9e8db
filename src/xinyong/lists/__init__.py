"""红黑名单: list entries and their lifecycle (proposed → notified → decided → published → exited), objections
against an entry, the public red and black lists."""
