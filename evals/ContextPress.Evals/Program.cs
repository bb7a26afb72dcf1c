using ContextPress.Evals;

return await EvalCommand.RunAsync(args, CancellationToken.None).ConfigureAwait(false);
