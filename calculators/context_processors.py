from . import registry


def site(request):
    # Passed uncalled: templates call them only where the nav or tool list is drawn.
    return {"tool_groups": registry.grouped, "nav_groups": registry.nav_groups}
