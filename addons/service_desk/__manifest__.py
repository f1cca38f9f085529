{
    "name": "service_desk",
    "version": "1.0.0",
    "summary": "Service desk (客户服务 / 工单): tickets, SLAs in working time, assignment, ratings",
    "category": "Service desk",
    "depends": ["contacts"],
    "auto_install": False,
    "application": True,
    "data": ["data/TicketStage.csv", "data/WorkCalendar.csv"],
    "external_dependencies": {"python": [], "bin": []},
}
