"""Staff console: 红黑名单 (proposals through their lifecycle) and the four lists' management."""
