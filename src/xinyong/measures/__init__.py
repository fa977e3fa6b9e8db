"""联合奖惩: the rule (rules), the single check (screening) and its vectorised twin (batch), the proof of a
check (proofs), and the trigger–feedback tasks of implementing departments (feedback)."""
