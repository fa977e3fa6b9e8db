"""Departments (部门): the units that feed and use the platform, each bound to a region and a level."""
