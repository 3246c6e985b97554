2024-05-30_23:50:00.90704 [monitJobSupervisor] 2024/05/30 23:50:00 DEBUG - Getting monit status
2024-05-30_23:50:00.90704 [http-client] 2024/05/30 23:50:00 DEBUG - status function called
2024-05-30_23:50:00.90704 [http-client] 2024/05/30 23:50:00 DEBUG - Monit request: url='http://127.0.0.1:2822/_status2?format=xml' body=''
2024-05-30_23:50:00.90704 [attemptRetryStrategy] 2024/05/30 23:50:00 DEBUG - Making attempt #0 for *httpclient.RequestRetryable
2024-05-30_23:50:00.90704 [clientRetryable] 2024/05/30 23:50:00 DEBUG - [requestID=e2404e95-1744-40e9-a753-00ef28ea8c9d] Requesting (attempt=1): Request{ Method: 'GET', URL: 'http://127.0.0.1:2822/_status2?format=xml' }
2024-05-30_23:50:00.90704 [File System] 2024/05/30 23:50:00 DEBUG - Checking if file exists /var/vcap/monit/stopped
2024-05-30_23:50:01.92459 [monitJobSupervisor] 2024/05/30 23:50:01 DEBUG - Getting monit status
2024-05-30_23:50:01.92459 [http-client] 2024/05/30 23:50:01 DEBUG - status function called
2024-05-30_23:50:01.92459 [http-client] 2024/05/30 23:50:01 DEBUG - Monit request: url='http://127.0.0.1:2822/_status2?format=xml' body=''
2024-05-30_23:50:01.92459 [attemptRetryStrategy] 2024/05/30 23:50:01 DEBUG - Making attempt #0 for *httpclient.RequestRetryable
2024-05-30_23:50:01.92459 [clientRetryable] 2024/05/30 23:50:01 DEBUG - [requestID=a595ee08-9516-411c-a254-1a3ccf515ca1] Requesting (attempt=1): Request{ Method: 'GET', URL: 'http://127.0.0.1:2822/_status2?format=xml' }
2024-05-30_23:50:01.92459 [File System] 2024/05/30 23:50:01 DEBUG - Checking if file exists /var/vcap/monit/stopped
2024-05-30_23:50:02.90790 [monitJobSupervisor] 2024/05/30 23:50:02 DEBUG - Getting monit status
2024-05-30_23:50:02.90790 [http-client] 2024/05/30 23:50:02 DEBUG - status function called
2024-05-30_23:50:02.90790 [http-client] 2024/05/30 23:50:02 DEBUG - Monit request: url='http://127.0.0.1:2822/_status2?format=xml' body=''
2024-05-30_23:50:02.90790 [attemptRetryStrategy] 2024/05/30 23:50:02 DEBUG - Making attempt #0 for *httpclient.RequestRetryable
2024-05-30_23:50:02.90790 [clientRetryable] 2024/05/30 23:50:02 DEBUG - [requestID=a9b3c8a3-9be3-408e-a5b6-0ced92b902ad] Requesting (attempt=1): Request{ Method: 'GET', URL: 'http://127.0.0.1:2822/_status2?format=xml' }
2024-05-30_23:50:02.90790 [File System] 2024/05/30 23:50:02 DEBUG - Checking if file exists /var/vcap/monit/stopped
2024-05-30_23:50:04.16046 [monitJobSupervisor] 2024/05/30 23:50:04 DEBUG - Getting monit status
2024-05-30_23:50:04.16046 [http-client] 2024/05/30 23:50:04 DEBUG - status function called
2024-05-30_23:50:04.16046 [http-client] 2024/05/30 23:50:04 DEBUG - Monit request: url='http://127.0.0.1:2822/_status2?format=xml' body=''
2024-05-30_23:50:04.16046 [attemptRetryStrategy] 2024/05/30 23:50:04 DEBUG - Making attempt #0 for *httpclient.RequestRetryable
2024-05-30_23:50:04.16046 [clientRetryable] 2024/05/30 23:50:04 DEBUG - [requestID=8826e296-0b64-46b2-a108-117b03435abc] Requesting (attempt=1): Request{ Method: 'GET', URL: 'http://127.0.0.1:2822/_status2?format=xml' }
2024-05-30_23:50:04.16046 [File System] 2024/05/30 23:50:04 DEBUG - Checking if file exists /var/vcap/monit/stopped
2024-05-30_23:50:05.12969 [monitJobSupervisor] 2024/05/30 23:50:05 DEBUG - Getting monit status
2024-05-30_23:50:05.12969 [http-client] 2024/05/30 23:50:05 DEBUG - status function called
2024-05-30_23:50:05.12969 [http-client] 2024/05/30 23:50:05 DEBUG - Monit request: url='http://127.0.0.1:2822/_status2?format=xml' body=''
2024-05-30_23:50:05.12969 [attemptRetryStrategy] 2024/05/30 23:50:05 DEBUG - Making attempt #0 for *httpclient.RequestRetryable
2024-05-30_23:50:05.12969 [clientRetryable] 2024/05/30 23:50:05 DEBUG - [requestID=bd71cbe6-0935-49b9-a954-7de7a8eb2eac] Requesting (attempt=1): Request{ Method: 'GET', URL: 'http://127.0.0.1:2822/_status2?format=xml' }
2024-05-30_23:50:05.12969 [File System] 2024/05/30 23:50:05 DEBUG - Checking if file exists /var/vcap/monit/stopped
2024-05-30_23:50:05.89855 [monitJobSupervisor] 2024/05/30 23:50:05 DEBUG - Getting monit status
2024-05-30_23:50:05.89855 [http-client] 2024/05/30