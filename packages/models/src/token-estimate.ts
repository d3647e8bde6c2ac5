/** A token count estimate, four characters a token: for budgets, and for servers that report no usage. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

/** The estimate for a chat request's messages. */
export const estimateMessageTokens = (messages: readonly { content: string }[]): number => estimateTokens(messages.map((m) => m.content).join(''));
