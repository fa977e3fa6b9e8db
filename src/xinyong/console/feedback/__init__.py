"""Staff console: 联合奖惩反馈 (an implementing department's tasks, feedback rates)."""
