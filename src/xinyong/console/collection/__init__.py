"""Staff console (管理后台): 数据报送."""
