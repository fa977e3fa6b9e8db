"""Subject space (我的信用): a subject's own file, who looked at it, its grants; an agency's grants."""
