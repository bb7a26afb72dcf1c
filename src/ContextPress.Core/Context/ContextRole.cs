namespace ContextPress.Context;

/// <summary>Identifies who authored a <see cref="ContextItem"/>, using the roles of chat-completion APIs.</summary>
public enum ContextRole
{
    /// <summary>Instructions from the application, sent with the <c>system</c> role.</summary>
    System,

    /// <summary>Instructions from the application, sent with the newer <c>developer</c> role.</summary>
    Developer,

    /// <summary>A message from the end user.</summary>
    User,

    /// <summary>A message from the model.</summary>
    Assistant,

    /// <summary>The output of a tool the model called.</summary>
    Tool,
}
