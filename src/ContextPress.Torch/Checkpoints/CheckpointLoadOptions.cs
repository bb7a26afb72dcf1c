namespace ContextPress.Torch.Checkpoints;

/// <summary>How <see cref="CheckpointLoader"/> maps checkpoint tensors onto a module's state dict.</summary>
public sealed class CheckpointLoadOptions
{
    /// <summary>
    /// Maps a checkpoint name to a module state-dict key; return <see langword="null"/> to skip the tensor
    /// on purpose (e.g. a rotary <c>inv_freq</c> buffer some exporters save). Default: identity.
    /// </summary>
    public Func<string, string?>? MapName { get; init; }

    /// <summary>
    /// Module keys the checkpoint may omit (e.g. <c>lm_head.weight</c> when embeddings are tied); they keep
    /// whatever the module holds and the caller is responsible for them.
    /// </summary>
    public IReadOnlyCollection<string> OptionalModuleKeys { get; init; } = [];
}
