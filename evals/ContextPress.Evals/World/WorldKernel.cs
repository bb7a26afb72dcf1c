using ContextPress.Evals.World.Apps;
using Microsoft.SemanticKernel;

namespace ContextPress.Evals.World;

/// <summary>Exposes a <see cref="SimWorld"/>'s apps as Semantic Kernel plugins (plugin = app, function = API).</summary>
internal static class WorldKernel
{
    public static Kernel Create(SimWorld world)
    {
        var kernel = new Kernel();
        kernel.Plugins.AddFromObject(new SupervisorApp(world), "supervisor");
        kernel.Plugins.AddFromObject(new MailApp(world), "mail");
        kernel.Plugins.AddFromObject(new ContactsApp(world), "contacts");
        kernel.Plugins.AddFromObject(new CalendarApp(world), "calendar");
        kernel.Plugins.AddFromObject(new PaymentsApp(world), "payments");
        kernel.Plugins.AddFromObject(new MusicApp(world), "music");
        kernel.Plugins.AddFromObject(new FilesApp(world), "files");
        kernel.Plugins.AddFromObject(new TodoApp(world), "todo");
        kernel.Plugins.AddFromObject(new NotesApp(world), "notes");
        return kernel;
    }

    /// <summary>Invokes <c>plugin-function</c> with string arguments; returns the JSON text the API answered.</summary>
    public static async Task<string> InvokeAsync(Kernel kernel, string toolName, IReadOnlyDictionary<string, string> arguments, CancellationToken cancellationToken)
    {
        int dash = toolName.IndexOf('-', StringComparison.Ordinal);
        KernelFunction function = kernel.Plugins.GetFunction(toolName[..dash], toolName[(dash + 1)..]);
        var args = new KernelArguments();
        foreach (KeyValuePair<string, string> pair in arguments)
        {
            args[pair.Key] = pair.Value;
        }

        FunctionResult result = await function.InvokeAsync(kernel, args, cancellationToken).ConfigureAwait(false);
        return result.GetValue<string>() ?? string.Empty;
    }
}
