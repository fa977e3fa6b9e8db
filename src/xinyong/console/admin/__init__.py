"""Staff console (管理后台): 系统管理."""
