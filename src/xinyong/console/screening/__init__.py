"""Staff console: 联合奖惩核查 (one subject, or a file of subjects)."""
