using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace ContextPress.Evals.World.Apps;

internal sealed class TodoApp(SimWorld world) : AppBase(world, "todo")
{
    [KernelFunction("login"), Description("Logs in to the todo app; returns an access token.")]
    public string Login(string username, string password) => DoLogin(username, password);

    [KernelFunction("list_tasks"), Description("Lists the tasks of a list by due date, paginated.")]
    public string ListTasks(string access_token, string list_name, int page = 1)
    {
        if (Unauthorized("list_tasks", access_token) is { } error)
        {
            return error;
        }

        (IReadOnlyList<TodoItem> items, PageInfo info) = SimWorld.Paginate(World.ListTodos(list_name), page, SimWorld.TodosPageSize);
        return World.Respond("todo.list_tasks", items, info);
    }

    [KernelFunction("create_task"), Description("Creates a task in a list with a due date (yyyy-MM-dd).")]
    public string CreateTask(string access_token, string list_name, string title, string due_on)
    {
        if (Unauthorized("create_task", access_token) is { } error)
        {
            return error;
        }

        var item = new TodoItem(SimWorld.IdFor("task", list_name, title, due_on), list_name, title, due_on, "medium", "open", string.Empty);
        World.Todos.Add(item);
        World.Record("todo.create_task", ("list_name", list_name), ("title", title), ("due_on", due_on));
        return World.Respond("todo.create_task", item);
    }
}
