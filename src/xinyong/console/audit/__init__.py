"""Staff console (管理后台): 审计."""
