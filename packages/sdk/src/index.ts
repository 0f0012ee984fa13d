export const hello: string = "sdk";
