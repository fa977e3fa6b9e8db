"""Staff console (管理后台): pages and JSON routes for departments, the credit office and auditors."""
