"""Page plumbing shared by the public portal, the subject space and the staff console: rendering a
template with the layout's context (the caller, the CSRF field, the navigation for the caller's roles)
and paging. Pages never decide a rule: each calls the same service as its JSON twin."""
