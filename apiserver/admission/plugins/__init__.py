"""kube's built-in admission plugins, a module each (named for the plugin)."""
